"""`/metrics` in the Prometheus text format, from `prometheus_client`.

Several API processes share one port, so any of them may answer a scrape: each counts into
files of its own under `PROMETHEUS_MULTIPROC_DIR` (the library's multiprocess mode), and the
answering process sums them. The directory must be named before `prometheus_client` is first
imported: `metrics_dir.use_multiprocess_dir` does it before the app is built.
Projection lag is measured when scraped, not counted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from eventlens.api.metrics_dir import MULTIPROC_ENV
from eventlens.projections.lag import Lag

INGESTED = Counter(
    "eventlens_ingested_events",
    "Events answered by ingest, by outcome: accepted, rejected (recorded with reasons) or "
    "invalid (not an event; recorded nowhere).",
    ["outcome"],
)
REJECTED = Counter(
    "eventlens_rejected_events",
    "Rejected events by reason (an event with several reasons counts under each).",
    ["reason"],
)
REFUSED = Counter(
    "eventlens_refused_requests",
    "Ingest requests answered before any event was judged, by reason.",
    ["reason"],
)
INGEST_SECONDS = Histogram(
    "eventlens_ingest_seconds",
    "From an ingest request's body to its answer (the append included).",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
QUERY_SECONDS = Histogram(
    "eventlens_query_seconds",
    "REST and GraphQL requests other than ingest, from request to answer.",
    ["api"],
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
)
RESPONSES = Counter(
    "eventlens_http_responses",
    "Answers of the REST API and GraphQL by status class (2xx, 3xx, 4xx, 5xx); ingest counts "
    "here only its internal errors (its refusals are eventlens_refused_requests).",
    ["api", "status_class"],
)

# Bound methods looked up once: the ingest path counts every request.
count_accepted = INGESTED.labels("accepted").inc
count_rejected = INGESTED.labels("rejected").inc
count_invalid = INGESTED.labels("invalid").inc
observe_ingest = INGEST_SECONDS.labels("ingest").observe
observe_batch = INGEST_SECONDS.labels("batch").observe

# The series that alert rules watch exist from the start, at zero: a rate over a series that
# has never been counted is no data, not zero.
REFUSED.labels("store_unavailable")
for _api in ("rest", "graphql", "ingest"):
    RESPONSES.labels(_api, "5xx")


def count_reasons(codes: Sequence[str]) -> None:
    for code in codes:
        REJECTED.labels(code).inc()


def count_refused(reason: str) -> None:
    REFUSED.labels(reason).inc()


def count_ingest_internal_error() -> None:
    RESPONSES.labels("ingest", "5xx").inc()


class LagCollector(Collector):
    """The projections' lag, as measured for this scrape."""

    def __init__(self, lags: Sequence[Lag]) -> None:
        self._lags = lags

    def collect(self) -> Iterator[GaugeMetricFamily]:
        behind = GaugeMetricFamily(
            "eventlens_projection_events_behind", "Events not yet applied.", labels=["projection"]
        )
        seconds = GaugeMetricFamily(
            "eventlens_projection_seconds_behind",
            "Age of the oldest unapplied event.",
            labels=["projection"],
        )
        for lag in self._lags:
            behind.add_metric([lag.projection], lag.events_behind)
            seconds.add_metric([lag.projection], lag.seconds_behind)
        yield behind
        yield seconds


def exposition(lags: Sequence[Lag]) -> tuple[bytes, str]:
    """Every process's counts and histograms, and the lags: the body and its content type."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:  # a process that was never given a directory (tests building the app directly)
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_lag_registry(lags))
    return body, CONTENT_TYPE_LATEST


def _lag_registry(lags: Sequence[Lag]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(LagCollector(lags))
    return registry


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class QueryTimer:
    """Times the REST API's and GraphQL's requests (ingest is timed by its own path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(("/api/", "/graphql"))):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def noting_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        except Exception:
            status = status or 500  # the server answers it so
            raise
        finally:
            api = "graphql" if path.startswith("/graphql") else "rest"
            QUERY_SECONDS.labels(api).observe(time.perf_counter() - started)
            if status:
                RESPONSES.labels(api, f"{status // 100}xx").inc()
