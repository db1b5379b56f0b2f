"""The README's "Using it" commands, run as written against a real `eventlens up`: the only
changes are the address and where the admin password file is."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.platform import ADMIN_PASSWORD, RunningPlatform, running_on
from tests.services import unavailable

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.postgres


def readme_commands() -> str:
    text = README.read_text()
    section = text[text.index("## Using it") :]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match is not None, "the README's 'Using it' section has no bash block"
    return match.group(1)


def test_the_readme_commands_run_as_written(tmp_path: Path, postgres_server: str) -> None:
    if shutil.which("jq") is None:
        unavailable("jq", "the README's commands read JSON answers with it")
    with running_on(postgres_server, tmp_path / "data") as platform:
        output = run_readme(platform, tmp_path / "home")
        # What the last command lists once the projection has caught up (a person typing
        # the commands never sees it behind).
        [event] = platform.wait_for_recent(1)

    assert '"status":"accepted"' in output.replace(" ", "")
    assert "CAP-XXXXXX" not in readme_commands()
    assert (event["event_type"], event["user_id"]) == ("page_view", "user_123")
    assert event["container_id"].startswith("CAP-")


def test_the_readme_schema_declares_every_event_type_its_snippet_sends() -> None:
    from eventlens.domain.snippet import TEMPLATE

    sent = set(re.findall(r"trackEvent\('([a-z_]+)'", TEMPLATE))
    declared = set(re.findall(r'"([a-z_]+)": \{\}', readme_commands()))
    assert sent, "the snippet sends no event type the test can see"
    assert sent <= declared


def run_readme(platform: RunningPlatform, home: Path) -> str:
    (home / ".eventlens").mkdir(parents=True)
    (home / ".eventlens" / "admin-password").write_text(ADMIN_PASSWORD)
    script = readme_commands().replace("http://localhost:8000", str(platform.client.base_url))
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
