"""A backup's manifest is checked before a restore writes anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventlens.eventstore.catalog import CATALOG_TABLE
from eventlens.operations.manifest import (
    EVENTS_FILE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SECRETS_FILE,
    BadBackup,
    describe,
    verify,
)


def a_backup(directory: Path) -> dict[str, Any]:
    """A manifest and its files, as `eventlens backup` writes them."""
    for name, text in ((EVENTS_FILE, "events"), (SECRETS_FILE, "{}"), ("catalog.copy.gz", "c")):
        (directory / name).write_text(text)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "events": {},
        "tables": {CATALOG_TABLE: {"file": "catalog.copy.gz", "columns": ["id"], "rows": 1}},
        "files": describe(directory, [EVENTS_FILE, SECRETS_FILE, "catalog.copy.gz"]),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest))
    return manifest


def test_a_whole_backup_passes(tmp_path: Path) -> None:
    manifest = a_backup(tmp_path)
    assert verify(tmp_path) == manifest


def moved_outside(directory: Path, manifest: dict[str, Any]) -> None:
    manifest["tables"][CATALOG_TABLE]["file"] = "../catalog.copy.gz"
    manifest["files"]["../catalog.copy.gz"] = manifest["files"].pop("catalog.copy.gz")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d, m: m.update(format="other"), "is not an EventLens backup manifest"),
        (lambda d, m: m.update(format_version=2), "format version 2 is not supported"),
        (lambda d, m: m.update(tables={}), "lists no catalog"),
        (lambda d, m: m["files"].pop(SECRETS_FILE), "does not list the backup's files"),
        (lambda d, m: (d / EVENTS_FILE).unlink(), "events.ndjson.gz is missing"),
        (lambda d, m: (d / EVENTS_FILE).write_text("event"), "is incomplete or was changed"),
        (lambda d, m: (d / EVENTS_FILE).write_text("EVENTS"), "does not match its checksum"),
        (moved_outside, "names a file outside the backup's directory"),
    ],
)
def test_a_damaged_backup_is_refused_with_the_reason(
    tmp_path: Path, damage: Any, message: str
) -> None:
    manifest = a_backup(tmp_path)
    damage(tmp_path, manifest)
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BadBackup, match=message):
        verify(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"), [(None, "holds no manifest.json"), ("{", "is not valid JSON")]
)
def test_a_missing_or_unreadable_manifest_is_refused(
    tmp_path: Path, text: str | None, message: str
) -> None:
    a_backup(tmp_path)
    if text is None:
        (tmp_path / MANIFEST).unlink()
    else:
        (tmp_path / MANIFEST).write_text(text)
    with pytest.raises(BadBackup, match=message):
        verify(tmp_path)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadBackup, match="is not a directory"):
        verify(tmp_path / "nowhere")
