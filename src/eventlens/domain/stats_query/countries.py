"""Country names by ISO 3166-1 alpha-2 code, as Plausible shows them (`visit:country_name`):
the common name where ISO has one, else the short name (`data/countries.json`, see
docs/THIRD_PARTY.md)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def country_names() -> dict[str, str]:
    text = (
        resources.files("eventlens.domain")
        .joinpath("data", "countries.json")
        .read_text(encoding="utf-8")
    )
    names: dict[str, str] = json.loads(text)
    return names
