"""CreateApiKey: users make themselves keys that read stats, for scripts and Plausible clients."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eventlens.commands.actor import Actor
from eventlens.domain.credentials import API_KEY_PREFIX, ApiKey, Scope
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class CreateApiKey:
    actor: Actor
    name: object = None
    scope: object = Scope.STATS_READ.value


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    """The key as recorded, and its secret: shown once, recorded nowhere."""

    key: ApiKey
    secret: str


def new_api_key_secret() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_key(command: CreateApiKey, catalog: Catalog) -> IssuedApiKey:
    user = catalog.user(command.actor.username)
    secret = new_api_key_secret()
    key = user.create_api_key(secrets.token_hex(8), command.name, command.scope, secret)
    catalog.record(user, actor=command.actor.username)
    return IssuedApiKey(key, secret)
