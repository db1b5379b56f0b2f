"""The event-store contract, run against both backends (real PostgreSQL, real Kafka)."""

from __future__ import annotations

import pytest

from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from tests.integration.backends import Backend, drain, tracked

pytestmark = [pytest.mark.postgres]


def test_appended_events_reach_the_master_log_exactly_once(backend: Backend) -> None:
    events = [tracked(session=f"s{i % 4}", n=i) for i in range(40)]
    with backend.running_store() as store:
        store.append(events[:15])
        store.append(events[15:])

    drain(backend.worker(TrackedEvents()), 40)

    assert backend.count("SELECT count(*) FROM event_logs") == 40
    assert backend.count("SELECT count(DISTINCT event_id) FROM event_logs") == 40


def test_an_acknowledged_append_is_readable_by_a_reader_started_afterwards(
    backend: Backend,
) -> None:
    with backend.running_store() as store:
        store.append([tracked()])
    # The store is closed: only what was durably recorded before the ack can be read now.
    assert drain(backend.worker(TrackedEvents()), 1) == 1


def test_appending_the_same_event_id_twice_is_recorded_once(backend: Backend) -> None:
    event = tracked()
    with backend.running_store() as store:
        store.append([event])
        store.append([event])  # a client retry

    drain(backend.worker(TrackedEvents()), 1)

    assert backend.count("SELECT count(*) FROM event_logs WHERE event_id = %s", event.event_id) == 1


def test_rejected_events_go_to_their_own_stream_never_to_the_tracked_one(
    backend: Backend,
) -> None:
    bad = tracked(event_type="unknown")
    rejected = RejectedEvent(bad, (Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no such type"),))
    with backend.running_store() as store:
        store.call(lambda: store.store.append_rejected([rejected]))
        store.append([tracked()])

    drain(backend.worker(TrackedEvents()), 1)
    drain(backend.worker(RejectedEvents()), 1)

    assert backend.count("SELECT count(*) FROM event_logs WHERE event_id = %s", bad.event_id) == 0
    assert (
        backend.count(
            "SELECT count(*) FROM rejected_events WHERE event_id = %s AND reason_codes = %s",
            bad.event_id,
            ["unknown_event_type"],
        )
        == 1
    )


def test_a_restarted_worker_resumes_where_its_last_commit_left_it(backend: Backend) -> None:
    with backend.running_store() as store:
        store.append([tracked(n=i) for i in range(30)])
        drain(backend.worker(TrackedEvents()), 30)
        store.append([tracked(n=i) for i in range(30, 50)])

    resumed = drain(backend.worker(TrackedEvents()), 20)

    assert resumed == 20
    assert backend.count("SELECT count(*) FROM event_logs") == 50


def test_many_concurrent_single_event_appends_are_all_recorded(backend: Backend) -> None:
    events = [tracked(session=f"s{i}") for i in range(200)]
    with backend.running_store() as store:
        store.append_concurrently([[e] for e in events])

    drain(backend.worker(TrackedEvents()), 200)

    assert backend.count("SELECT count(*) FROM event_logs") == 200
