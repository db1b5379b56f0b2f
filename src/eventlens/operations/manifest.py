"""A backup's manifest: its format version, what it holds, and each file's checksum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from eventlens.eventstore.catalog import CATALOG_TABLE

MANIFEST = "manifest.json"
FORMAT = "eventlens-backup"
FORMAT_VERSION = 1
EVENTS_FILE = "events.ndjson.gz"
SECRETS_FILE = "secrets.json"


class BadBackup(Exception):
    """A backup that cannot be restored; the message says why."""


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe(directory: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    return {
        name: {"bytes": (directory / name).stat().st_size, "sha256": checksum(directory / name)}
        for name in names
    }


def verify(directory: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is there, whole and unchanged."""
    if not directory.is_dir():
        raise BadBackup(f"{directory} is not a directory")
    path = directory / MANIFEST
    if not path.is_file():
        raise BadBackup(f"{directory} holds no {MANIFEST}: not a backup, or an unfinished one")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BadBackup(f"{path} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadBackup(f"{path} is not an EventLens backup manifest")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BadBackup(
            f"backup format version {version!r} is not supported (this EventLens reads "
            f"version {FORMAT_VERSION})"
        )
    files, tables = manifest.get("files"), manifest.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(t, dict) and isinstance(t.get("columns"), list) for t in tables.values()
    ):
        raise BadBackup(f"{path} does not list the backup's tables")
    if CATALOG_TABLE not in tables:
        raise BadBackup(f"{path} lists no catalog")
    wanted = {EVENTS_FILE, SECRETS_FILE} | {str(t.get("file")) for t in tables.values()}
    if not isinstance(files, dict) or set(files) != wanted:
        raise BadBackup(f"{path} does not list the backup's files")
    if any(Path(name).name != name for name in files):
        raise BadBackup(f"{path} names a file outside the backup's directory")
    for name, expected in files.items():
        _check_file(directory, path, name, expected)
    return manifest


def _check_file(directory: Path, manifest: Path, name: str, expected: Any) -> None:
    file = directory / name
    if not file.is_file():
        raise BadBackup(f"{name} is missing from the backup")
    if not isinstance(expected, dict):
        raise BadBackup(f"{manifest}: the entry of {name} is not an object")
    if file.stat().st_size != expected.get("bytes"):
        raise BadBackup(
            f"{name} has {file.stat().st_size} bytes, the manifest says "
            f"{expected.get('bytes')}: the backup is incomplete or was changed"
        )
    if checksum(file) != expected.get("sha256"):
        raise BadBackup(f"{name} does not match its checksum: the backup was changed")
