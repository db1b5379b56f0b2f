"""The tracker's build, as committed into the package: within its size budget, and what the
source builds to."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from eventlens.api.tracker import SCRIPT_FILE

ROOT = Path(__file__).resolve().parents[2]
# The budget tracker/build.mjs checks too.
GZIP_BUDGET = 1536


def test_the_built_script_is_within_its_gzipped_size_budget() -> None:
    assert len(gzip.compress(SCRIPT_FILE.read_bytes(), compresslevel=9)) <= GZIP_BUDGET


def test_the_built_script_keeps_nothing_of_the_source_but_the_code() -> None:
    built = SCRIPT_FILE.read_text()

    assert "/*" not in built and "\n" not in built.rstrip("\n")
    assert "/api/events/batch" in built


def test_the_committed_build_is_what_the_source_builds_to() -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "dashboard" / "node_modules" / "terser").is_dir():
        pytest.skip("needs Node.js and the dashboard's dev dependencies (npm ci in dashboard/)")

    check = subprocess.run(
        [node, str(ROOT / "tracker" / "build.mjs"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert check.returncode == 0, check.stderr
