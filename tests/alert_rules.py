"""The example Prometheus alert rules (deploy/prometheus/alerts.yml), and what their
expressions name: metrics, and the labels and label values they match."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).resolve().parents[1] / "deploy" / "prometheus" / "alerts.yml"

# What PromQL itself names, as opposed to metrics.
KEYWORDS = frozenset(
    (
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "stddev",
        "stdvar",
        "topk",
        "bottomk",
        "quantile",
        "count_values",
        "group",
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "rate",
        "irate",
        "increase",
        "deriv",
        "delta",
        "idelta",
        "predict_linear",
        "histogram_quantile",
        "abs",
        "absent",
        "absent_over_time",
        "clamp_min",
        "clamp_max",
        "time",
        "vector",
        "scalar",
        "avg_over_time",
        "max_over_time",
        "min_over_time",
        "sum_over_time",
        "changes",
        "resets",
        "label_replace",
    )
)
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@dataclass
class Selector:
    metric: str
    matchers: list[tuple[str, str, str]] = field(default_factory=list)  # label, op, value


@dataclass
class Expression:
    selectors: list[Selector]
    grouping_labels: set[str]


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES_FILE.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def parse(expr: str) -> Expression:
    """The selectors and grouping labels of a PromQL expression (enough of PromQL for
    aggregations, functions, range vectors, matchers and binary operators)."""
    grouping: set[str] = set()
    for labels in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        grouping |= {label.strip() for label in labels.split(",") if label.strip()}
    bare = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", " ", expr)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)  # range durations
    selectors = []
    position = 0
    while match := NAME.search(bare, position):
        name, position = match.group(), match.end()
        rest = bare[position:].lstrip()
        if name in KEYWORDS or rest.startswith("("):
            continue
        selector = Selector(name)
        if rest.startswith("{"):
            end = bare.index("}", position)
            selector.matchers = MATCHER.findall(bare[position:end])
            position = end + 1
        selectors.append(selector)
    return Expression(selectors, grouping)
