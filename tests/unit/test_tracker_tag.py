"""What an adaptor hands out: the one-line tag loading the tracker, and the seed's inline
snippet beside it for identified tracking."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import httpx
from fastapi import FastAPI

from eventlens.api import adaptors, errors
from eventlens.api.deps import current_actor
from eventlens.commands.actor import Actor
from eventlens.config import Settings
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.snippet import render_snippet, render_tag
from eventlens.domain.user import Role


def test_the_tag_loads_the_tracker_from_the_api_base_for_the_adaptors_site() -> None:
    tag = render_tag("https://stats.example.com/", "CAP-ABC123")

    assert tag == (
        '<script defer src="https://stats.example.com/t.js" data-site="CAP-ABC123"></script>'
    )


def test_the_tag_names_the_second_path_when_one_is_given() -> None:
    tag = render_tag("https://stats.example.com", "CAP-ABC123", "/js/site.js")

    assert 'src="https://stats.example.com/js/site.js"' in tag


def test_the_tags_attributes_are_escaped() -> None:
    tag = render_tag('https://x.example/"><script>alert(1)</script>', 'CAP-"&<')

    assert "<script>alert" not in tag
    assert 'data-site="CAP-&quot;&amp;&lt;"' in tag
    assert tag.count("<script") == 1


def adaptor() -> Adaptor:
    return Adaptor.create(
        container_id="CAP-ABC123",
        name="My Portfolio",
        schema_name="portfolio_events",
        website_urls=["https://www.example.com"],
        allowed_origins=None,
        description="",
    )


def get_adaptor(tracker_path: str | None) -> dict[str, Any]:
    site = adaptor()
    api = FastAPI()
    errors.install(api)
    api.state.platform = SimpleNamespace(
        cache=SimpleNamespace(adaptor=lambda container_id: site),
        settings=Settings(tracker_path=tracker_path),
    )
    api.dependency_overrides[current_actor] = lambda: Actor("viewer", Role.VIEWER)
    api.include_router(adaptors.router)

    async def go() -> dict[str, Any]:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="https://stats.test") as client:
            response = await client.get("/api/adaptors/CAP-ABC123")
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

    return asyncio.run(go())


def test_the_adaptor_apis_snippet_is_the_tag_with_the_inline_snippet_beside_it() -> None:
    body = get_adaptor(tracker_path=None)

    assert body["snippet"] == render_tag("https://stats.test/", "CAP-ABC123")
    assert body["inline_snippet"] == render_snippet(
        "https://stats.test/", "portfolio_events", "CAP-ABC123"
    )
    assert "localStorage" in body["inline_snippet"]
    assert "/api/events/ingest" in body["inline_snippet"]


def test_the_adaptor_api_hands_out_the_second_path_when_one_is_set() -> None:
    body = get_adaptor(tracker_path="/js/site.js")

    assert 'src="https://stats.test/js/site.js"' in body["snippet"]
