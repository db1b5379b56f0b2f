"""Number formatting shared by the report and the console table."""

from __future__ import annotations


def rate(value: float) -> str:
    return f"{value:,.0f}"


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def cores(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def mb(value: float) -> str:
    """Bytes as (decimal) megabytes."""
    return f"{value / 1e6:,.0f}"


def met(value: bool) -> str:
    return "met" if value else "NOT MET"
