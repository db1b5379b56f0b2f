"""Files holding the embedded PostgreSQL's password are private from their first byte."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from eventlens.embedded_postgres import _write_private


def test_a_password_file_is_never_readable_by_others_even_under_a_permissive_umask(
    tmp_path: Path,
) -> None:
    previous = os.umask(0)
    try:
        _write_private(tmp_path / "new", "secret")
        existing = tmp_path / "existing"
        existing.write_text("old")
        existing.chmod(0o644)
        _write_private(existing, "secret")
    finally:
        os.umask(previous)

    for path in (tmp_path / "new", existing):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == "secret"
