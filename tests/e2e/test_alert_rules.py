"""Every metric, label and label value the example alert rules match is one that `/metrics`
of a running server exposes, from its start (a rule over a series that does not exist yet
would never fire). `up` and its `job` are Prometheus's own."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from tests.alert_rules import parse, rules
from tests.e2e.platform import RunningPlatform

PROMETHEUS_OWN = {"up": {"job", "instance"}}


def scrape(platform: RunningPlatform) -> dict[str, dict[str, set[str]]]:
    """Each sample's name, with the values seen for each of its labels."""
    response = platform.client.get("/metrics", headers=platform.auth())
    assert response.status_code == 200, response.text
    seen: dict[str, dict[str, set[str]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = seen.setdefault(sample.name, {})
            for label, value in sample.labels.items():
                labels.setdefault(label, set()).add(value)
    return seen


def test_the_alert_rules_match_what_a_running_server_exposes(
    shared_platform: RunningPlatform,
) -> None:
    exposed = scrape(shared_platform)
    for rule in rules():
        expr = parse(rule["expr"])
        labels_of_its_metrics: set[str] = set()
        for selector in expr.selectors:
            if selector.metric in PROMETHEUS_OWN:
                labels_of_its_metrics |= PROMETHEUS_OWN[selector.metric]
                continue
            assert selector.metric in exposed, (rule["alert"], selector.metric)
            labels = exposed[selector.metric]
            labels_of_its_metrics |= set(labels)
            for label, op, value in selector.matchers:
                assert label in labels, (rule["alert"], selector.metric, label)
                if op == "=":
                    assert value in labels[label], (rule["alert"], selector.metric, value)
                elif op == "=~":
                    assert all(
                        any(re.fullmatch(choice, seen) for seen in labels[label])
                        for choice in value.split("|")
                    ), (rule["alert"], selector.metric, value)
        assert expr.grouping_labels <= labels_of_its_metrics, rule["alert"]
