"""One user's share of the read side: WebSockets, subscriptions and costly reads are capped per
user, each refusal names its limit, and one user's load leaves another's reads untouched."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from eventlens.domain.errors import TooManyRequests
from eventlens.graphql.shared_reads import SharedReads
from eventlens.runtime.read_limits import ReadLimits, ReadQuotas


def in_event_loop(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


QUOTAS = ReadQuotas(
    sockets_per_user=2, subscriptions_per_user=3, costly_reads_per_user=2, costly_read_wait=0.05
)


def test_a_user_beyond_the_socket_cap_is_refused_naming_the_limit_until_one_closes() -> None:
    limits = ReadLimits(QUOTAS)
    limits.open_socket("viewer")
    limits.open_socket("viewer")
    with pytest.raises(TooManyRequests, match="EVENTLENS_MAX_SOCKETS_PER_USER"):
        limits.open_socket("viewer")
    limits.open_socket("admin")  # another user's cap is their own
    limits.close_socket("viewer")
    limits.open_socket("viewer")


@in_event_loop
async def test_subscriptions_beyond_the_cap_are_refused_and_a_finished_one_frees_its_place() -> (
    None
):
    limits = ReadLimits(QUOTAS)
    held = [limits.subscription("viewer") for _ in range(3)]
    for subscription in held:
        await subscription.__aenter__()
    with pytest.raises(TooManyRequests, match=r"3 subscriptions.*SUBSCRIPTIONS_PER_USER"):
        async with limits.subscription("viewer"):
            pass
    await held[0].__aexit__(None, None, None)
    async with limits.subscription("viewer"):
        assert limits.subscriptions["viewer"] == 3


@in_event_loop
async def test_a_third_costly_read_waits_briefly_then_is_refused_while_others_read_freely() -> None:
    limits = ReadLimits(QUOTAS)
    release = asyncio.Event()

    async def read(user: str) -> None:
        async with limits.costly_read(user):
            await release.wait()

    running = [asyncio.create_task(read("viewer")) for _ in range(2)]
    await asyncio.sleep(0)
    assert limits.in_flight("viewer") == 2
    with pytest.raises(TooManyRequests, match=r"2 costly reads.*COSTLY_READS_PER_USER"):
        async with limits.costly_read("viewer"):
            pass
    async with limits.costly_read("admin"):  # not held up by the viewer's
        assert limits.in_flight("admin") == 1
    release.set()
    await asyncio.gather(*running)
    assert limits.in_flight("viewer") == 0


@in_event_loop
async def test_a_patient_read_waits_for_a_slot_instead_of_being_refused() -> None:
    limits = ReadLimits(QUOTAS)
    release = asyncio.Event()

    async def hold() -> None:
        async with limits.costly_read("viewer"):
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(2)]
    await asyncio.sleep(0)
    patient = asyncio.create_task(_patient_read(limits))
    await asyncio.sleep(0.1)  # longer than a request would wait
    assert not patient.done()
    release.set()
    await asyncio.gather(*holders)
    assert await patient == "read"


async def _patient_read(limits: ReadLimits) -> str:
    async with limits.costly_read("viewer", patient=True):
        return "read"


@in_event_loop
async def test_followers_of_one_question_share_one_query_per_version() -> None:
    shared = SharedReads()
    started = asyncio.Event()
    finish = asyncio.Event()

    async def query() -> list[int]:
        started.set()
        await finish.wait()
        return [1, 2, 3]

    for _ in range(100):
        shared.follow("events where page=/")
    shared.follow("events where page=/pricing")
    waiting = [
        asyncio.create_task(shared.answer("events where page=/", 7, query)) for _ in range(100)
    ]
    other = asyncio.create_task(shared.answer("events where page=/pricing", 7, query))
    await started.wait()
    finish.set()
    answers = await asyncio.gather(*waiting)
    assert answers == [[1, 2, 3]] * 100
    assert await other == [1, 2, 3]
    assert shared.queries == 2  # one per distinct question
    await shared.answer("events where page=/", 7, query)  # the same version: answered already
    assert shared.queries == 2
    await shared.answer("events where page=/", 8, query)  # the read models changed
    assert shared.queries == 3


@in_event_loop
async def test_a_follower_that_leaves_does_not_cancel_the_answer_others_wait_for() -> None:
    shared = SharedReads()
    finish = asyncio.Event()

    async def query() -> str:
        await finish.wait()
        return "rows"

    shared.follow("q")
    shared.follow("q")
    leaving = asyncio.create_task(shared.answer("q", 1, query))
    staying = asyncio.create_task(shared.answer("q", 1, query))
    await asyncio.sleep(0)
    leaving.cancel()
    shared.unfollow("q")
    finish.set()
    assert await staying == "rows"


@in_event_loop
async def test_reads_wait_in_a_bounded_queue_and_those_beyond_it_are_refused_at_once() -> None:
    limits = ReadLimits(
        ReadQuotas(costly_reads_per_user=2, costly_read_wait=5.0, costly_reads_waiting_per_user=3)
    )
    release = asyncio.Event()

    async def read() -> str:
        async with limits.costly_read("viewer"):
            await release.wait()
        return "read"

    # A page asks five at once: two run, three wait their turn.
    page = [asyncio.create_task(read()) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert limits.in_flight("viewer") == 2
    with pytest.raises(TooManyRequests, match=r"2 costly reads at once and 3 more wait"):
        async with limits.costly_read("viewer"):  # a sixth: refused without waiting
            pass
    release.set()
    assert await asyncio.gather(*page) == ["read"] * 5
