"""The example alert rules are well formed: each alert has a name, an expression, a severity
and a summary, and what each expression names can be read back (the scrape of a running
server checks the names themselves: tests/e2e/test_alert_rules.py). With promtool at hand,
Prometheus's own check passes too."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.alert_rules import RULES_FILE, parse, rules

WATCHED = {
    "up",
    "eventlens_projection_seconds_behind",
    "eventlens_refused_requests_total",
    "eventlens_http_responses_total",
}


def test_every_rule_is_an_alert_with_a_severity_and_a_summary() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names))
    for rule in rules():
        assert rule["expr"].strip()
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert rule["annotations"]["summary"]


def test_the_rules_watch_the_platform_lag_server_errors_and_store_outages() -> None:
    named = {s.metric for rule in rules() for s in parse(rule["expr"]).selectors}
    assert named >= WATCHED


def test_an_expression_is_read_as_its_metrics_matchers_and_grouping_labels() -> None:
    expr = parse(
        'sum by (api) (rate(a_total{api=~"rest|graphql", code="5xx"}[5m])) / sum(rate(b[1m]))'
        " > 0.05 and max by (projection) (deriv(c[15m])) > 0"
    )
    assert [s.metric for s in expr.selectors] == ["a_total", "b", "c"]
    assert expr.selectors[0].matchers == [("api", "=~", "rest|graphql"), ("code", "=", "5xx")]
    assert expr.grouping_labels == {"api", "projection"}


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules() -> None:
    checked = subprocess.run(
        ["promtool", "check", "rules", str(RULES_FILE)], check=False, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
