"""The names users choose: whole-string rules (schema names become table names)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eventlens.domain.adaptor import check_container_id
from eventlens.domain.errors import InvalidInput
from eventlens.domain.names import check_event_type, check_schema_name, check_username


@pytest.mark.parametrize(
    ("check", "good"),
    [
        (check_schema_name, "portfolio_events"),
        (check_event_type, "page_view"),
        (check_username, "ann"),
        (check_container_id, "CAP-ABC234"),
    ],
)
def test_a_name_is_checked_whole_and_a_trailing_newline_is_refused(
    check: Callable[[str], str], good: str
) -> None:
    assert check(good) == good
    for bad in (good + "\n", "\n" + good, good + " ", good + "\x00"):
        with pytest.raises(InvalidInput):
            check(bad)
