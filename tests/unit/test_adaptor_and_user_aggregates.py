from __future__ import annotations

import pytest

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import Conflict, InvalidInput
from eventlens.domain.user import User


def make_adaptor(**overrides: object) -> Adaptor:
    values: dict[str, object] = {
        "container_id": "CAP-ABC123",
        "name": "My Portfolio",
        "schema_name": "portfolio_events",
        "website_urls": ["http://localhost:8080/index.html"],
        "allowed_origins": None,
        "description": "Personal website tracking",
    }
    values.update(overrides)
    return Adaptor.create(**values)  # type: ignore[arg-type]


def test_an_adaptor_accepts_its_websites_origin_and_requests_without_origin() -> None:
    adaptor = make_adaptor()

    assert adaptor.accepts_origin("http://localhost:8080")
    assert adaptor.accepts_origin(None)  # a server or curl, not a browser
    assert not adaptor.accepts_origin("http://evil.example")
    assert not adaptor.accepts_origin("https://localhost:8080")


def test_explicit_origins_and_the_wildcard_widen_the_allowed_origins() -> None:
    assert make_adaptor(allowed_origins=["https://www.example.com/"]).accepts_origin(
        "https://www.example.com"
    )
    assert make_adaptor(allowed_origins=["*"]).accepts_origin("https://anything.example")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("container_id", "CAP-abc", "container id"),
        ("name", "", "name"),
        ("website_urls", ["javascript:alert(1)"], "http"),
        ("allowed_origins", ["ftp://x"], "http"),
        ("schema_name", "Bad Name", "schema name"),
    ],
)
def test_an_adaptor_with_bad_fields_is_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make_adaptor(**{field: value})


def test_disabling_and_enabling_record_events_and_guard_repeats() -> None:
    adaptor = make_adaptor()
    adaptor.disable()
    with pytest.raises(Conflict):
        adaptor.disable()
    adaptor.enable()

    names = [type(e).__qualname__ for e in adaptor.collect_events()]
    assert names == ["Adaptor.Created", "Adaptor.Disabled", "Adaptor.Enabled"]
    assert adaptor.active


def test_a_users_role_is_admin_or_viewer() -> None:
    with pytest.raises(InvalidInput, match="role"):
        User.create("ann", "hash", "root")
    user = User.create("ann", "hash", "viewer")
    user.change_role("admin")
    assert user.is_admin


def test_a_removed_user_can_do_nothing_until_restored() -> None:
    user = User.create("ann", "hash", "viewer")
    user.remove()
    with pytest.raises(Conflict, match="removed"):
        user.change_password("other")
    user.restore("new-hash", "viewer")
    assert not user.removed
    assert user.password_hash == "new-hash"
