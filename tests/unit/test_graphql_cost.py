"""A GraphQL request's cost is counted before it runs: aliases, fragments and variables count,
a request over the budget is refused naming the budget, and a dashboard's requests fit in it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from graphql import parse

from eventlens.graphql.cost import DEFAULT_BUDGET, OVER_BUDGET, request_cost
from eventlens.graphql.schema import schema


def execute(
    query: str, variables: dict[str, Any] | None = None, budget: int = DEFAULT_BUDGET
) -> Any:
    settings = SimpleNamespace(graphql_cost_budget=budget)
    context = {
        "platform": SimpleNamespace(cache=None, settings=settings),
        "tokens": None,
        "request": None,
    }
    return asyncio.run(schema.execute(query, variables, context_value=context))


def aliased_events(count: int, limit: int, properties: str) -> str:
    field = (
        f"events(limit: {limit}, filter: {{properties: {properties}}}) {{ items {{ eventId }} }}"
    )
    return "{ " + " ".join(f"e{i}: {field}" for i in range(count)) + " }"


def test_twenty_aliased_property_filtered_event_queries_are_refused_before_they_run() -> None:
    result = execute(aliased_events(20, 50, '{plan: "pro"}'))

    [error] = result.errors
    assert error.extensions["code"] == OVER_BUDGET
    assert error.extensions["budget"] == DEFAULT_BUDGET
    assert f"budget of {DEFAULT_BUDGET}" in error.message
    assert "EVENTLENS_GRAPHQL_COST_BUDGET" in error.message


def test_a_request_within_the_budget_runs_its_resolvers() -> None:
    # The resolver runs, and asks who is asking: no token here, so 401.
    result = execute("{ events(limit: 1000) { items { eventId } } me { username } }")

    assert {e.extensions["code"] for e in result.errors} == {"unauthorized"}


def test_rows_asked_through_variables_and_fragments_are_counted_every_time_they_are_used() -> None:
    query = """
    query Many($limit: Int!, $filter: EventFilterInput) {
      a: events(limit: $limit, filter: $filter) { ...Ids }
      b: events(limit: $limit, filter: $filter) { ...Ids }
      ...More
    }
    fragment More on Query { c: events(limit: $limit, filter: $filter) { ...Ids } }
    fragment Ids on EventPage { items { eventId } }
    """
    variables = {"limit": 300, "filter": {"properties": {"plan": "pro", "seats": 3}}}

    cost = request_cost(parse(query), "Many", variables, stop_at=10**9)
    # Three lists of 300 rows, each tested on two property keys, and their small fields.
    assert cost >= 3 * 300 * 3
    assert execute(query, variables).errors[0].extensions["code"] == OVER_BUDGET


def test_the_budget_is_the_configured_one() -> None:
    query = "{ topPages(limit: 500) { key count } }"

    assert execute(query, budget=1000).errors[0].extensions["code"] == "unauthorized"
    assert execute(query, budget=100).errors[0].extensions["code"] == OVER_BUDGET


def test_a_fragment_that_multiplies_itself_is_counted_only_until_it_passes_the_budget() -> None:
    levels = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = "{ ...F0 }\n" + levels + "\nfragment F40 on Query { me { username } }"

    assert request_cost(parse(query), None, None, stop_at=1000) == 1001
