"""Which read model answers which metrics, as Plausible splits a query between its events
and sessions tables; and which adaptor a `site_id` names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eventlens.api.stats_v2 import find_site
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.stats_query import Breakdown, Condition, Site, StatsQueryError
from eventlens.domain.stats_query.dates import days
from eventlens.views.web_stats.plan import plan

RANGE = days(date(2021, 1, 1), date(2021, 1, 7), "UTC")


def planned(metrics: tuple[str, ...], dimensions: tuple[str, ...] = (), filters: Any = ()) -> Any:
    return plan(Breakdown(metrics, dimensions, tuple(filters), RANGE))


def test_visit_metrics_and_dimensions_are_answered_by_visits_alone() -> None:
    found = planned(("visitors", "visits", "bounce_rate"), ("visit:source",))

    assert (found.event_metrics, found.session_metrics) == (
        (),
        ("bounce_rate", "visitors", "visits"),
    )


def test_event_metrics_and_dimensions_are_answered_by_events_alone() -> None:
    found = planned(("visitors", "pageviews"), ("event:page",))

    assert (found.event_metrics, found.session_metrics) == (("pageviews", "visitors"), ())


def test_an_event_filter_on_visit_metrics_keeps_visits_with_a_matching_event() -> None:
    page = Condition("is", "event:page", ("/pricing",))

    found = planned(("visitors", "bounce_rate"), filters=[page])

    assert (found.event_metrics, found.session_metrics) == ((), ("bounce_rate", "visitors"))
    assert found.session_filters == (page,)


def test_event_and_visit_metrics_together_are_answered_by_both() -> None:
    found = planned(("visitors", "pageviews", "bounce_rate"), ("visit:device",))

    assert (found.event_metrics, found.session_metrics) == (
        ("pageviews", "visitors"),
        ("bounce_rate",),
    )


def test_visit_metrics_by_page_group_visits_by_their_entry_page() -> None:
    page = Condition("contains", "event:page", ("/blog",))

    found = planned(("visitors", "bounce_rate"), ("event:page",), [page])

    assert found.event_metrics == ("visitors",)
    assert found.session_dimensions == ("visit:entry_page",)
    assert found.session_filters == (Condition("contains", "visit:entry_page", ("/blog",)),)


def shop(container_id: str, url: str, *, timezone: str = "UTC") -> Adaptor:
    return Adaptor.create(container_id, "Shop", "shop", [url], [], "", timezone=timezone)


def test_a_site_is_found_by_container_id_or_by_its_websites_host() -> None:
    sites = [
        shop("CAP-AAAAAA", "https://www.shop.example/"),
        shop("CAP-BBBBBB", "https://blog.example", timezone="Europe/Tallinn"),
    ]

    assert find_site(sites, "CAP-AAAAAA") == Site("CAP-AAAAAA", "shop", "UTC")
    assert find_site(sites, "shop.example").container_id == "CAP-AAAAAA"
    assert find_site(sites, "WWW.Shop.Example").container_id == "CAP-AAAAAA"
    assert find_site(sites, "blog.example") == Site("CAP-BBBBBB", "shop", "Europe/Tallinn")


def test_an_unknown_site_is_refused_naming_it() -> None:
    with pytest.raises(StatsQueryError) as caught:
        find_site([shop("CAP-AAAAAA", "https://shop.example")], "other.example")

    assert '"other.example"' in caught.value.message
    assert caught.value.field == "site_id"
