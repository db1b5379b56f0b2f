"""Unsubscribe tokens: a report's recipient and site, signed with the server's key, so the link
in a report removes that address from that site's report without anyone signing in, and a
changed link is refused. They do not expire: an old report's link keeps working."""

from __future__ import annotations

import base64
import hashlib
import hmac

import orjson

PURPOSE = b"eventlens:report-unsubscribe:"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(secret: str, container_id: str, address: str) -> str:
    payload = _b64(orjson.dumps([container_id, address]))
    mac = hmac.new(secret.encode(), PURPOSE + payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str] | None:
    """(container id, address), or None for a token this server did not sign."""
    payload, _, mac = token.partition(".")
    expected = hmac.new(secret.encode(), PURPOSE + payload.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(_unb64(mac), expected):
            return None
        container_id, address = orjson.loads(_unb64(payload))
    except (ValueError, TypeError, orjson.JSONDecodeError):
        return None
    if not isinstance(container_id, str) or not isinstance(address, str):
        return None
    return container_id, address
