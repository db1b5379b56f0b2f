from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventlens.config import Settings
from tests.integration.backends import Backend


@pytest.fixture(params=["postgres", "kafka"])
def backend(
    request: pytest.FixtureRequest, database_url: str, topic_prefix: str
) -> Iterator[Backend]:
    settings = Settings().with_overrides(database_url=database_url, kafka_partitions=3)
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        settings = settings.with_overrides(
            kafka_bootstrap=bootstrap, kafka_topic_prefix=topic_prefix
        )
    else:
        settings = Settings(**{**settings.__dict__, "kafka_bootstrap": None})
    yield Backend(request.param, settings, database_url)
