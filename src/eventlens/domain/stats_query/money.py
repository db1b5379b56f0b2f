"""Revenue in Plausible's answer: `{"short": "€1.2K", "long": "€1,234.56", "value": 1234.56,
"currency": "EUR"}`. The sums are exact decimals up to here; `value` is the JSON number of the
amount rounded to the cent, as Plausible gives it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
CENT = Decimal("0.01")


def money(amount: Decimal | None, currency: str | None) -> dict[str, Any] | None:
    """An amount in a currency as Plausible answers it; None without a currency."""
    if currency is None:
        return None
    cents = (amount or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    prefix = SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if cents < 0 else ""
    return {
        "short": f"{sign}{prefix}{_short(abs(cents))}",
        "long": f"{sign}{prefix}{abs(cents):,.2f}",
        "value": float(cents),
        "currency": currency,
    }


def _short(amount: Decimal) -> str:
    for size, unit in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(1000), "K")):
        if amount >= size:
            return f"{(amount / size).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}{unit}"
    return f"{amount:.2f}"
