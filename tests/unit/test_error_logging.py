"""What errors write to the log: a client's mistake one DEBUG line without a traceback, so
anonymous requests cannot fill the log; an internal error is answered without details."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from eventlens.api import errors
from eventlens.domain.errors import InvalidInput


class Body(BaseModel):
    name: str


def app() -> FastAPI:
    api = FastAPI()
    errors.install(api)

    @api.post("/validated")
    async def validated(body: Body) -> str:
        return body.name

    @api.get("/unauthorized")
    async def unauthorized() -> None:
        raise HTTPException(401, "authentication required")

    @api.get("/invalid")
    async def invalid() -> None:
        raise InvalidInput("name is too long", field="name")

    @api.get("/deep")
    async def deep() -> None:
        raise RecursionError

    @api.get("/broken")
    async def broken() -> None:
        raise RuntimeError("a bug with a secret inside")

    return api


CLIENT_MISTAKES = [
    ("POST", "/validated", {"name": 5}, 422),
    ("POST", "/validated", None, 422),
    ("GET", "/unauthorized", None, 401),
    ("GET", "/invalid", None, 422),
    ("GET", "/deep", None, 422),
    ("GET", "/no-such-route", None, 404),
]


def test_each_client_mistake_logs_one_debug_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = TestClient(app())

    with caplog.at_level(logging.DEBUG):
        statuses = [
            client.request(method, path, json=body).status_code
            for method, path, body, _ in CLIENT_MISTAKES
        ]

    assert statuses == [status for *_, status in CLIENT_MISTAKES]
    records = [r for r in caplog.records if r.name == errors.log.name]
    assert len(records) == len(CLIENT_MISTAKES)
    assert {r.levelno for r in records} == {logging.DEBUG}
    assert all(r.exc_info is None for r in records)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_internal_error_is_answered_500_in_the_error_shape_without_its_details() -> None:
    client = TestClient(app(), raise_server_exceptions=False)

    answer = client.get("/broken")

    assert answer.status_code == 500
    assert answer.json()["error"] == {
        "status": 500,
        "code": "internal",
        "message": "internal error",
    }
    assert "secret" not in answer.text
