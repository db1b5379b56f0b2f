"""Request and response bodies of the catalog routes (the seed's field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.schema import Schema
from eventlens.domain.user import User


class SchemaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=100, examples=["portfolio_events"])
    description: str | None = Field(None, max_length=2000)
    properties: dict[str, dict[str, Any]] = Field(
        description="Event types, each mapped to a JSON Schema of its properties ({} = any).",
        examples=[{"page_view": {}, "github_project_click": {}}],
    )


class SchemaUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100, description="Must match the path if given.")
    description: str | None = Field(None, max_length=2000)
    properties: dict[str, dict[str, Any]] | None = None


class SchemaOut(BaseModel):
    id: UUID
    name: str
    description: str
    properties: dict[str, dict[str, Any]]
    event_types: list[str]
    version: int
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, schema: Schema) -> SchemaOut:
        return cls(
            id=schema.id,
            name=schema.name,
            description=schema.description,
            properties=schema.event_types,
            event_types=sorted(schema.event_types),
            version=schema.schema_version,
            is_active=not schema.retired,
            created_at=schema.created_on,
            updated_at=schema.modified_on,
        )


def _urls(one: str | None, many: list[str] | None) -> list[str] | None:
    """The seed's single `website_url` and/or a list: None when neither is given."""
    if many is None and one is None:
        return None
    return [*(many or []), *([one] if one else [])]


class AdaptorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(max_length=200, examples=["My Portfolio"])
    schema_name: str = Field(
        max_length=100,
        validation_alias=AliasChoices("schema_id", "schema", "schema_name"),
        description="The schema's name (also accepted as `schema_id` or `schema`).",
        examples=["portfolio_events"],
    )
    website_url: str | None = Field(None, max_length=2000, examples=["http://localhost:8080"])
    website_urls: list[str] | None = Field(None, max_length=50)
    allowed_origins: list[str] | None = Field(
        None, max_length=50, description='Extra origins allowed to send events, or ["*"].'
    )
    description: str | None = Field(None, max_length=2000)
    timezone: str | None = Field(
        None,
        max_length=64,
        description="IANA time zone of the site's days and date ranges (default UTC).",
        examples=["Europe/Paris"],
    )

    def urls(self) -> list[str] | None:
        return _urls(self.website_url, self.website_urls)


class AdaptorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str | None = Field(None, max_length=200)
    schema_name: str | None = Field(
        None, max_length=100, validation_alias=AliasChoices("schema_id", "schema", "schema_name")
    )
    website_url: str | None = Field(None, max_length=2000)
    website_urls: list[str] | None = Field(None, max_length=50)
    allowed_origins: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=2000)
    timezone: str | None = Field(None, max_length=64, examples=["Europe/Paris"])
    is_active: bool | None = None

    def urls(self) -> list[str] | None:
        return _urls(self.website_url, self.website_urls)


class AdaptorOut(BaseModel):
    id: str = Field(description="The container id")
    container_id: str
    name: str
    schema_id: str
    website_url: str | None
    website_urls: list[str]
    allowed_origins: list[str]
    description: str
    timezone: str = Field(description="IANA time zone of the site's days and date ranges")
    is_active: bool
    created_at: datetime
    updated_at: datetime
    snippet: str = Field(
        description="The tag to paste into the site's pages: it loads the tracker (`/t.js`), "
        "which keeps nothing in the visitor's browser."
    )
    inline_snippet: str = Field(
        description="The seed's inline snippet, for identified tracking on a site that has the "
        "visitor's consent: it keeps a user id in localStorage and a session id in "
        "sessionStorage."
    )

    @classmethod
    def of(cls, adaptor: Adaptor, *, tag: str, inline_snippet: str) -> AdaptorOut:
        return cls(
            id=adaptor.container_id,
            container_id=adaptor.container_id,
            name=adaptor.name,
            schema_id=adaptor.schema_name,
            website_url=adaptor.website_urls[0] if adaptor.website_urls else None,
            website_urls=adaptor.website_urls,
            allowed_origins=sorted(adaptor.origins),
            description=adaptor.description,
            timezone=adaptor.timezone,
            is_active=adaptor.active,
            created_at=adaptor.created_on,
            updated_at=adaptor.modified_on,
            snippet=tag,
            inline_snippet=inline_snippet,
        )


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    password: str = Field(max_length=256)
    role: str = Field("viewer", description="admin or viewer")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(None, max_length=256)
    current_password: str | None = Field(
        None, max_length=256, description="Required when changing your own password."
    )
    role: str | None = None


class UserOut(BaseModel):
    username: str
    role: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            username=user.username,
            role=user.role,
            created_at=user.created_on,
            updated_at=user.modified_on,
        )
