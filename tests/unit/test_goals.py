"""Goals in the domain: Plausible's names, page paths with wildcards, and the rules a site's
goals keep (one goal per name, revenue in one ISO 4217 currency, on event goals only)."""

from __future__ import annotations

import pytest

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import AlreadyExists, InvalidInput, NotFound
from eventlens.domain.goals import decimal_amount, wildcard_regex


def site() -> Adaptor:
    return Adaptor.create("CAP-GOALS1", "Shop", "shop", ["https://shop.example"], None, None)


@pytest.mark.parametrize(
    ("page_path", "reached", "missed"),
    [
        ("/pricing", ["/pricing"], ["/pricing/", "/pricing/plans", "/Pricing"]),
        ("/blog/*", ["/blog/", "/blog/a"], ["/blog/a/b", "/blog", "/blogs/a"]),
        ("/blog/**", ["/blog/a", "/blog/a/b/c"], ["/blog", "/other/blog/a"]),
        ("/*/edit", ["/42/edit"], ["/a/b/edit", "/42/edit/now"]),
        ("/a.b+(c)?", ["/a.b+(c)?"], ["/aXb+(c)", "/a.bb(c)"]),
    ],
)
def test_a_page_goal_matches_as_plausible_does(
    page_path: str, reached: list[str], missed: list[str]
) -> None:
    goal = site().add_goal("g1", page_path=page_path)

    assert goal.name == f"Visit {page_path}"
    assert [p for p in reached if goal.reached_by("page_view", p)] == reached
    assert [p for p in missed if goal.reached_by("page_view", p)] == []
    assert not goal.reached_by("Signup", reached[0])


def test_the_wildcards_become_an_anchored_expression() -> None:
    assert wildcard_regex("/blog/*/x/**") == "^/blog/[^/]*/x/.*$"


def test_an_event_goal_is_named_by_its_event_and_matches_it_exactly() -> None:
    goal = site().add_goal("g1", event_name=" Signup ", currency="eur")

    assert (goal.name, goal.display_name, goal.currency, goal.kind) == (
        "Signup",
        "Signup",
        "EUR",
        "event",
    )
    assert goal.reached_by("Signup", None)
    assert not goal.reached_by("signup", None)


def test_a_site_keeps_one_goal_per_name_and_display_name() -> None:
    adaptor = site()
    adaptor.add_goal("g1", event_name="Signup")
    adaptor.add_goal("g2", page_path="/a", display_name="First page")

    with pytest.raises(AlreadyExists, match="already has the goal 'Signup'"):
        adaptor.add_goal("g3", event_name="Signup", display_name="Another")
    with pytest.raises(AlreadyExists, match="shown as 'First page'") as shown:
        adaptor.add_goal("g4", event_name="Other", display_name="First page")
    assert shown.value.field == "display_name"


def test_a_removed_goal_is_gone_and_its_name_free_again() -> None:
    adaptor = site()
    adaptor.add_goal("g1", event_name="Signup")

    removed = adaptor.remove_goal("g1")

    assert removed.name == "Signup"
    assert adaptor.goals == {}
    assert adaptor.add_goal("g2", event_name="Signup").goal_id == "g2"
    with pytest.raises(NotFound):
        adaptor.remove_goal("g1")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "event_name"),
        ({"event_name": "A", "page_path": "/a"}, "event_name"),
        ({"event_name": ""}, "event_name"),
        ({"event_name": "engagement"}, "event_name"),
        ({"page_path": "pricing"}, "page_path"),
        ({"page_path": "/a b"}, "page_path"),
        ({"page_path": "/***"}, "page_path"),
        ({"event_name": "Buy", "currency": "Euro"}, "currency"),
        ({"page_path": "/buy", "currency": "EUR"}, "currency"),
        ({"event_name": "Buy", "display_name": " "}, "display_name"),
    ],
)
def test_malformed_goals_are_refused_naming_the_field(fields: dict[str, str], field: str) -> None:
    adaptor = site()

    with pytest.raises(InvalidInput) as refused:
        adaptor.add_goal("g1", **fields)

    assert refused.value.field == field
    assert adaptor.goals == {}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("12.50", "12.50"),
        (19.99, "19.99"),
        (0.1, "0.1"),
        (7, "7"),
        (" 3.5 ", "3.5"),
        ("1e3", "1000"),
        ("-4.20", "-4.20"),
        ("abc", None),
        ("NaN", None),
        ("Infinity", None),
        (1e40, None),
    ],
)
def test_a_revenue_amount_is_kept_as_an_exact_decimal(sent: object, kept: str | None) -> None:
    assert decimal_amount(sent) == kept  # type: ignore[arg-type]
