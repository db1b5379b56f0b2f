"""Who reads stats, and which sites' stats: a signed-in user, an API key, or a shared link.

The stats routes (REST and GraphQL) take their reader from `stats_reader_from_token`, and
ask `readable_sites` (or `site_for`, with the site a request names) what it may see: users
and API keys read every site, a shared link's token the one site it was made for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from eventlens.access.actors import AUTHENTICATION_REQUIRED, Unauthenticated, actor_from_token
from eventlens.access.tokens import SHARED, InvalidToken, TokenIssuer
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.credentials import ApiKey, Scope, is_api_key
from eventlens.domain.errors import PermissionDenied
from eventlens.domain.user import User


class Credential(StrEnum):
    SESSION = "session"  # the dashboard's access token
    API_KEY = "api_key"
    SHARED_LINK = "shared_link"


@dataclass(frozen=True, slots=True)
class StatsReader:
    credential: Credential
    username: str | None = None  # the user behind a session or an API key
    site: str | None = None  # the container id a shared link opens


@dataclass(frozen=True, slots=True)
class ReadableSites:
    """Every site, or only one."""

    only: str | None = None

    def allows(self, container_id: str) -> bool:
        return self.only is None or container_id == self.only


EVERY_SITE = ReadableSites()


def readable_sites(reader: StatsReader) -> ReadableSites:
    if reader.credential is Credential.SHARED_LINK:
        return ReadableSites(only=reader.site)
    return EVERY_SITE


def site_for(reader: StatsReader, requested: str | None) -> str | None:
    """The site a stats request is about: the one it names, if the reader may read it; when
    it names none, a shared link's own site (None, every site, for the others)."""
    sites = readable_sites(reader)
    if requested is None:
        return sites.only
    if not sites.allows(requested):
        raise PermissionDenied(f"this shared link opens the stats of {sites.only} only")
    return requested


class StatsCredentials(Protocol):
    def user(self, username: str) -> User | None: ...

    def adaptor(self, container_id: str) -> Adaptor | None: ...

    def api_key(self, secret: str) -> tuple[User, ApiKey] | None: ...


def stats_reader_from_token(
    credentials: StatsCredentials, tokens: TokenIssuer, token: str | None
) -> StatsReader:
    """The reader a bearer token stands for, checked against the catalog as it is now: a
    revoked key or link stops at once."""
    if token is None:
        raise Unauthenticated(AUTHENTICATION_REQUIRED)
    if is_api_key(token):
        found = credentials.api_key(token)
        if found is None or found[0].removed or found[1].scope != Scope.STATS_READ:
            raise Unauthenticated("the API key is unknown or has been revoked")
        return StatsReader(Credential.API_KEY, username=found[0].username)
    if TokenIssuer.kind_of(token) == SHARED:
        try:
            claims = tokens.verify_shared(token)
        except InvalidToken as error:
            raise Unauthenticated(str(error)) from None
        adaptor = credentials.adaptor(claims.container_id)
        if adaptor is None or claims.link_id not in adaptor.shared_links:
            raise Unauthenticated("the shared link has been revoked")
        return StatsReader(Credential.SHARED_LINK, site=adaptor.container_id)
    actor = actor_from_token(credentials, tokens, token)
    return StatsReader(Credential.SESSION, username=actor.username)
