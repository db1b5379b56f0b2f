"""An adaptor's own rules: its name, its website URLs, and the origins its pages may send
from (reduced to an Origin header's form)."""

from __future__ import annotations

from urllib.parse import urlsplit

from eventlens.domain.errors import InvalidInput

MAX_NAME = 200
MAX_URLS = 50


def check_adaptor_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(
            f"adaptor name must be a non-empty string of at most {MAX_NAME} characters",
            field="name",
        )
    return name.strip()


def origin_of(url: str, field: str) -> str:
    """`https://Example.com:8443/path` -> `https://example.com:8443` (an Origin header's form)."""
    if not isinstance(url, str):
        raise InvalidInput(f"{url!r} is not a URL", field=field)
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url!r} is not an http(s) URL", field=field)
    origin = f"{parts.scheme}://{parts.hostname.lower()}"
    if parts.port is not None:
        origin += f":{parts.port}"
    return origin


def check_urls(urls: object, field: str) -> list[str]:
    if urls is None:
        return []
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or len(urls) > MAX_URLS:
        raise InvalidInput(f"{field} must be a list of at most {MAX_URLS} URLs", field=field)
    for url in urls:
        origin_of(url, field)
    return [url.strip() for url in urls]


def check_origins(origins: object) -> list[str]:
    """Allowed origins are URLs reduced to their origin, or "*" for any origin."""
    if origins is None:
        return []
    if not isinstance(origins, list) or len(origins) > MAX_URLS:
        raise InvalidInput(
            f"allowed_origins must be a list of at most {MAX_URLS} origins",
            field="allowed_origins",
        )
    return sorted({"*" if o == "*" else origin_of(o, "allowed_origins") for o in origins})
