"""A long subscription holds no more memory after thousands of pushes than after a few."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator

import strawberry
from graphql.execution.collect_fields import CollectedFields

from eventlens.graphql.schema import schema as eventlens_schema


@strawberry.type
class Item:
    id: int
    name: str


@strawberry.type
class Query:
    ping: str = "pong"


def build_schema(execution_context_class: type | None) -> strawberry.Schema:
    @strawberry.type
    class Subscription:
        @strawberry.subscription
        async def items(self, count: int) -> AsyncGenerator[Item, None]:
            for n in range(count):
                yield Item(id=n, name=f"item {n}")

    return strawberry.Schema(
        query=Query, subscription=Subscription, execution_context_class=execution_context_class
    )


def memo_entries_after(schema: strawberry.Schema, pushes: int) -> int:
    """The collected-field sets alive once `pushes` pushes arrived (the stream still open)."""

    async def run() -> int:
        query = f"subscription {{ items(count: {pushes + 1}) {{ id name }} }}"
        stream = await schema.subscribe(query)
        assert not isinstance(stream, strawberry.types.ExecutionResult)
        received = 0
        async for result in stream:
            assert result.errors is None
            received += 1
            if received == pushes:
                break
        gc.collect()
        alive = sum(isinstance(o, CollectedFields) for o in gc.get_objects())
        await stream.aclose()
        return alive

    return asyncio.run(run())


def test_the_platforms_schema_executes_each_push_on_a_memo_of_its_own() -> None:
    shaped = build_schema(eventlens_schema.execution_context_class)
    assert memo_entries_after(shaped, 2_000) <= memo_entries_after(shaped, 20) + 5


def test_without_it_every_push_is_kept_for_the_subscriptions_life() -> None:
    # What the platform's executor prevents: graphql-core's default keeps one entry a push.
    # Should graphql-core stop doing so, this test fails and the workaround can go.
    plain = build_schema(None)
    assert memo_entries_after(plain, 2_000) >= memo_entries_after(plain, 20) + 1_900
