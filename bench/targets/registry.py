"""The systems the ingest benchmark loads, in the order it runs them (in-memory baselines and
the embedded run first, so the Kafka broker is not yet running while they are measured)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial

from bench.core import RunContext
from bench.targets import Target
from bench.targets.baselines import baseline
from bench.targets.eventlens import embedded, kafka_mode
from bench.targets.seed import seed_design

TargetFactory = Callable[[RunContext], contextlib.AbstractContextManager[Target]]

BARE = "bare-asgi"
FASTAPI = "fastapi-pydantic"
EVENTLENS_POSTGRES = "eventlens-postgres"
EVENTLENS_KAFKA = "eventlens-kafka"
SEED = "seed-design"
SEED_AWAIT = "seed-design-await"

TARGETS: dict[str, TargetFactory] = {
    BARE: partial(baseline, name=BARE),
    FASTAPI: partial(baseline, name=FASTAPI),
    EVENTLENS_POSTGRES: embedded,
    EVENTLENS_KAFKA: kafka_mode,
    SEED: seed_design,
    SEED_AWAIT: partial(seed_design, await_delivery=True),
}
EVENTLENS = (EVENTLENS_POSTGRES, EVENTLENS_KAFKA)
