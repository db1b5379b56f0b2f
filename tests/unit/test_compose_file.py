"""`compose.yaml` is a valid Compose file: it passes the Compose Specification's JSON Schema
(tests/compose/compose-spec.json, see docs/THIRD_PARTY.md), and the schema does refuse a
file that Compose would refuse."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "compose" / "compose-spec.json").read_text())


def compose_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def problems(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_compose_yaml_follows_the_compose_specification() -> None:
    assert problems(compose_file()) == []


def misspelled_healthcheck(document: dict[str, Any]) -> None:
    service = document["services"]["postgres"]
    service["helthcheck"] = service.pop("healthcheck")


def unknown_dependency_condition(document: dict[str, Any]) -> None:
    document["services"]["api"]["depends_on"]["postgres"]["condition"] = "service_ready"


def ports_as_a_mapping(document: dict[str, Any]) -> None:
    document["services"]["api"]["ports"] = {"8000": "8000"}


def unknown_top_level_key(document: dict[str, Any]) -> None:
    document["service"] = document["services"]


@pytest.mark.parametrize(
    "break_it",
    [
        misspelled_healthcheck,
        unknown_dependency_condition,
        ports_as_a_mapping,
        unknown_top_level_key,
    ],
)
def test_a_broken_copy_of_compose_yaml_is_refused(break_it: Any) -> None:
    broken = copy.deepcopy(compose_file())
    break_it(broken)
    assert problems(broken) != []
