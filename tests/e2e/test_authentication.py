"""Sign-in on a running platform: every password check is throttled per user and address,
refresh tokens are spent on use (a second use ends their sign-in), and signing out ends it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from eventlens.api.refresh_tokens import REUSE_GRACE
from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

PASSWORD = "lenas-password-1"


@pytest.fixture(scope="module")
def lena(shared_platform: RunningPlatform) -> Iterator[str]:
    user = {"username": "lena", "password": PASSWORD, "role": "viewer"}
    assert shared_platform.admin_post("/api/users/", user).status_code == 201
    yield "lena"


def sign_in(p: RunningPlatform, address: str, password: str = PASSWORD) -> httpx.Response:
    return p.client.post(
        "/api/auth/login",
        json={"username": "lena", "password": password},
        headers={"X-Forwarded-For": address},
    )


def refresh(p: RunningPlatform, token: str) -> httpx.Response:
    return p.client.post("/api/auth/refresh", json={"refresh_token": token})


def test_wrong_current_passwords_end_in_429_like_sign_ins(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    token = sign_in(p, "198.51.100.1").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": "198.51.100.2"}

    statuses = [
        p.client.put(
            "/api/users/lena",
            json={"password": "a-new-password", "current_password": f"guess-{i}"},
            headers=headers,
        ).status_code
        for i in range(7)
    ]

    assert statuses[:5] == [422] * 5
    assert statuses[5:] == [429, 429]
    # The guesses count against signing in from that address too: one limit for both.
    assert sign_in(p, "198.51.100.2").status_code == 429


def test_failures_from_one_address_do_not_lock_the_user_out_from_another(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    attacker = [sign_in(p, "203.0.113.50", f"guess-{i}").status_code for i in range(6)]

    assert attacker == [401] * 5 + [429]
    assert sign_in(p, "203.0.113.50").status_code == 429  # even the right one, from there
    assert sign_in(p, "203.0.113.51").status_code == 200


def test_a_refresh_token_is_spent_on_use_and_its_successor_works(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    first = sign_in(p, "198.51.100.10").json()["refresh_token"]

    second = refresh(p, first)
    third = refresh(p, second.json()["refresh_token"])

    assert second.status_code == 200
    assert third.status_code == 200
    assert len({first, second.json()["refresh_token"], third.json()["refresh_token"]}) == 3


def test_a_spent_refresh_token_used_again_ends_its_whole_sign_in(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    stolen = sign_in(p, "198.51.100.11").json()["refresh_token"]
    successor = refresh(p, stolen).json()["refresh_token"]
    other_sign_in = sign_in(p, "198.51.100.11").json()["refresh_token"]
    time.sleep(REUSE_GRACE + 0.5)

    reused = refresh(p, stolen)

    assert reused.status_code == 401
    assert "already used" in reused.json()["detail"]
    assert refresh(p, successor).status_code == 401  # the whole family ended with it
    assert refresh(p, other_sign_in).status_code == 200  # another sign-in is another family


def test_two_tabs_refreshing_with_the_same_token_at_once_both_stay_signed_in(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    token = sign_in(p, "198.51.100.12").json()["refresh_token"]

    one, two = refresh(p, token), refresh(p, token)

    assert (one.status_code, two.status_code) == (200, 200)
    assert refresh(p, one.json()["refresh_token"]).status_code == 200
    assert refresh(p, two.json()["refresh_token"]).status_code == 200


def test_signing_out_ends_the_sign_in_and_every_token_it_refreshed_to(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    first = sign_in(p, "198.51.100.13").json()["refresh_token"]
    current = refresh(p, first).json()["refresh_token"]

    signed_out = p.client.post("/api/auth/logout", json={"refresh_token": current})

    assert signed_out.status_code == 204
    assert refresh(p, current).status_code == 401
    assert refresh(p, first).status_code == 401


def test_signing_out_needs_a_genuine_refresh_token(
    shared_platform: RunningPlatform, lena: str
) -> None:
    p = shared_platform
    access = sign_in(p, "198.51.100.14").json()["access_token"]

    assert p.client.post("/api/auth/logout", json={"refresh_token": access}).status_code == 401
    assert p.client.post("/api/auth/logout", json={"refresh_token": "x"}).status_code == 401
