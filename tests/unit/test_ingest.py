"""The ingest path without a server, a database or a broker: a request's head and body in,
its answer out, and what reached the store."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from eventlens.api.ingest import Admitted, Ingest, IngestLimits
from eventlens.api.ingest_answers import Answer
from eventlens.api.ingest_asgi import settle
from tests.unit.fakes import InMemoryStore, Site

SITE = "http://localhost:8080"
JSON = {b"content-type": b"application/json"}


@pytest.fixture
def site() -> Site:
    return Site({"page_view": {}, "click": {}}, [SITE])


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def make_ingest(site: Site, store: InMemoryStore, **limits: Any) -> Ingest:
    return Ingest(IngestLimits(**{"rate_limit": 0, **limits})).serve(site.cache, store)


def send(
    ingest: Ingest,
    body: object,
    *,
    path: str = "/api/events/ingest",
    origin: str | None = None,
    headers: dict[bytes, bytes] | None = None,
) -> Answer:
    head = {**JSON, **(headers or {})}
    if origin is not None:
        head[b"origin"] = origin.encode()
    admitted = ingest.admit("POST", path, head, "203.0.113.9")
    if isinstance(admitted, Answer):
        return admitted
    assert isinstance(admitted, Admitted)
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return asyncio.run(_take(ingest, admitted, raw))


async def _take(ingest: Ingest, admitted: Admitted, raw: bytes) -> Answer:
    return await settle(ingest.take(admitted, raw))


def event(site: Site, **fields: object) -> dict[str, object]:
    return {
        "schema_id": "site",
        "event_type": "page_view",
        "session_id": "s1",
        "properties": {"page_url": f"{SITE}/", "container_id": site.container_id},
        **fields,
    }


def header(answer: Answer, name: bytes) -> bytes | None:
    return dict(answer.headers()).get(name)


def test_an_accepted_event_is_answered_202_once_appended(site: Site, store: InMemoryStore) -> None:
    answer = send(make_ingest(site, store), event(site), origin=SITE)

    assert answer.status == 202
    assert orjson.loads(answer.body)["event_id"] == str(store.tracked[0].event_id)
    assert header(answer, b"access-control-allow-origin") == SITE.encode()


def test_an_event_from_an_origin_the_adaptor_does_not_allow_is_kept_as_rejected(
    site: Site, store: InMemoryStore
) -> None:
    answer = send(make_ingest(site, store), event(site), origin="http://127.0.0.1:8080")

    assert answer.status == 403
    body = orjson.loads(answer.body)
    assert body["error"]["code"] == "origin_not_allowed"
    assert "127.0.0.1:8080" in body["detail"]
    # No adaptor allows that origin: its page may not read the answer.
    assert header(answer, b"access-control-allow-origin") is None
    assert store.tracked == []
    [rejected] = store.rejected
    assert [r.code.value for r in rejected.reasons] == ["origin_not_allowed"]
    assert rejected.origin == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        orjson.dumps({"schema_id": "site", "event_type": "teleport", "session_id": "s1"}),
    ],
)
def test_an_error_names_the_page_origin_for_cors_only_when_an_adaptor_allows_it(
    site: Site, store: InMemoryStore, body: bytes
) -> None:
    ingest = make_ingest(site, store)

    own_site = send(ingest, body, origin=SITE)
    elsewhere = send(ingest, body, origin="https://elsewhere.example")

    assert own_site.status >= 400
    assert elsewhere.status >= 400
    assert header(own_site, b"access-control-allow-origin") == SITE.encode()
    assert header(elsewhere, b"access-control-allow-origin") is None


def test_a_refusal_from_the_head_names_only_an_allowed_origin(
    site: Site, store: InMemoryStore
) -> None:
    ingest = make_ingest(site, store)
    plain_form = {b"content-type": b"application/x-www-form-urlencoded"}

    own_site = send(ingest, {}, origin=SITE, headers=plain_form)
    elsewhere = send(ingest, {}, origin="https://elsewhere.example", headers=plain_form)

    assert own_site.status == elsewhere.status == 415
    assert header(own_site, b"access-control-allow-origin") == SITE.encode()
    assert header(elsewhere, b"access-control-allow-origin") is None


def test_a_server_without_an_origin_header_is_not_a_browser_and_is_accepted(
    site: Site, store: InMemoryStore
) -> None:
    assert send(make_ingest(site, store), event(site)).status == 202


def test_an_event_failing_its_schema_is_rejected_with_reasons_and_recorded(
    site: Site, store: InMemoryStore
) -> None:
    answer = send(make_ingest(site, store), event(site, event_type="teleport"), origin=SITE)

    assert answer.status == 422
    assert orjson.loads(answer.body)["error"]["details"][0]["code"] == "unknown_event_type"
    assert len(store.rejected) == 1


def test_an_unknown_adaptor_is_404_and_recorded(site: Site, store: InMemoryStore) -> None:
    body = event(site, properties={"container_id": "CAP-NOPE00"})

    answer = send(make_ingest(site, store), body)

    assert answer.status == 404
    assert store.rejected[0].reasons[0].code.value == "unknown_adaptor"


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b"{not json", 400), (b"[1, 2]", 422), (b'{"schema_id": 3}', 422), (b'{"a": "\\u0000"}', 422)],
)
def test_a_body_that_is_not_an_event_is_answered_and_appends_nothing(
    site: Site, store: InMemoryStore, raw: bytes, status: int
) -> None:
    answer = send(make_ingest(site, store), raw)

    assert answer.status == status
    assert orjson.loads(answer.body)["detail"]
    assert store.tracked == store.rejected == []


def test_an_unavailable_store_is_503_with_retry_after(site: Site, store: InMemoryStore) -> None:
    store.down = True

    answer = send(make_ingest(site, store), event(site))

    assert answer.status == 503
    assert header(answer, b"retry-after") == b"1"


def test_a_declared_body_over_the_limit_is_refused_from_the_head(
    site: Site, store: InMemoryStore
) -> None:
    answer = send(
        make_ingest(site, store, max_body_bytes=100),
        event(site),
        headers={b"content-length": b"101"},
    )

    assert answer.status == 413


def test_a_client_over_its_rate_is_told_when_to_come_back(site: Site, store: InMemoryStore) -> None:
    ingest = make_ingest(site, store, rate_limit=1)
    statuses = [send(ingest, event(site)).status for _ in range(4)]

    assert statuses[:2] == [202, 202]  # a burst of twice the rate
    assert statuses[2:] == [429, 429]


def test_a_batch_judges_each_event_on_its_own(site: Site, store: InMemoryStore) -> None:
    batch = [event(site), event(site, event_type="teleport"), {"schema_id": 3}, "x"]

    answer = send(make_ingest(site, store), {"events": batch}, path="/api/events/batch")

    assert answer.status == 202
    body = orjson.loads(answer.body)
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "invalid", "invalid"]
    assert (body["accepted"], body["rejected"], body["invalid"]) == (1, 1, 2)
    assert len(store.tracked) == len(store.rejected) == 1


def test_a_preflight_is_answered_for_known_origins_only(site: Site, store: InMemoryStore) -> None:
    ingest = make_ingest(site, store)

    known = ingest.admit("OPTIONS", "/api/events/ingest", {b"origin": SITE.encode()}, "c")
    unknown = ingest.admit("OPTIONS", "/api/events/ingest", {b"origin": b"https://evil"}, "c")

    assert isinstance(known, Answer) and known.status == 204
    assert header(known, b"access-control-allow-origin") == SITE.encode()
    assert isinstance(unknown, Answer) and unknown.status == 403
