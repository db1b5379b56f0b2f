"""The architecture's rules, checked on the source: imports point inward and files stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "eventlens"
MAX_LINES = 400

# Package -> the packages it must never import (directly or in a function body).
FORBIDDEN = {
    "domain": ("api", "graphql", "commands", "eventstore", "projections", "views", "runtime"),
    "commands": ("api", "graphql", "projections", "views", "runtime"),
    "projections": ("api", "graphql", "commands", "runtime"),
    "views": ("api", "graphql", "commands", "runtime"),
    "graphql": ("api",),
    "eventstore": ("api", "graphql", "commands", "projections", "views", "runtime"),
}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_outside_its_reach(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if any(
            module == f"eventlens.{banned}" or module.startswith(f"eventlens.{banned}.")
            for banned in FORBIDDEN[layer]
        )
    ]
    assert offences == []


def test_no_source_file_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in sources()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_rules_see_the_package() -> None:
    """A rule over no files cannot fail: the walk must find the layers it checks."""
    assert all(any((PACKAGE / layer).rglob("*.py")) for layer in FORBIDDEN)
    assert imported_modules(PACKAGE / "projections" / "tracked_events.py")
