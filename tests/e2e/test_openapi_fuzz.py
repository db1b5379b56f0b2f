"""Property-based fuzzing of every route in the OpenAPI document (schemathesis): no generated
request, valid or not, is answered with a server error.

Requests are signed in as an admin, so the handlers (not only the auth checks) see the input.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]


def test_no_generated_request_causes_a_server_error(shared_platform: RunningPlatform) -> None:
    shared_platform.setup_seed_site()
    base = str(shared_platform.client.base_url)
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: {shared_platform.auth()['Authorization']}",
            "--max-examples",
            "30",
            "--request-timeout",
            "10",
            "--suppress-health-check",
            "all",
            "--seed",
            "20261128",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    summary = result.stdout[-2000:]
    assert " passed" in summary and "failed" not in summary.split("Seed:")[0][-200:], summary
