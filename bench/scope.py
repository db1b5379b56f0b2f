"""`eventlens up` in a transient systemd scope of its own, where a user service manager runs, so
the kernel counts its memory (the embedded PostgreSQL's processes included, whatever user they
run as) and keeps the peak: cgroup v2's `memory.peak`, or v1's `memory.max_usage_in_bytes`.

Without a user manager (a container, CI) the command runs as it is, `available()` says why, and
the memory figures are the summed PSS of the process tree alone.
"""

from __future__ import annotations

import functools
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@functools.cache
def available() -> tuple[bool, str]:
    """Whether `systemd-run --user --scope` works here, and if not, why."""
    try:
        done = subprocess.run(
            ["systemd-run", "--user", "--scope", "--quiet", "--collect", "true"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"systemd-run could not run: {error}"
    if done.returncode != 0:
        return False, f"no systemd user manager ({(done.stderr or done.stdout).strip()[:120]})"
    return True, "a transient systemd scope per `eventlens up`"


@dataclass
class Scope:
    """The scope one command runs in (`unit` is None when scopes are not available)."""

    unit: str | None
    peaks: list[int] = field(default_factory=list)  # bytes, read when the command stopped

    def wrap(self, args: list[str]) -> list[str]:
        if self.unit is None:
            return args
        return ["systemd-run", "--user", "--scope", "--quiet", f"--unit={self.unit}", "--", *args]

    def _cgroup(self) -> Path | None:
        if self.unit is None:
            return None
        done = subprocess.run(
            ["systemctl", "--user", "show", "--property=ControlGroup", "--value", self.unit],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        path = done.stdout.strip()
        return CGROUP_ROOT / path.lstrip("/") if done.returncode == 0 and path else None

    def peak(self) -> int | None:
        """The scope's peak memory so far (bytes), or None where it cannot be read."""
        group = self._cgroup()
        if group is None:
            return None
        v1 = CGROUP_ROOT / "memory" / group.relative_to(CGROUP_ROOT) / "memory.max_usage_in_bytes"
        for candidate in (group / "memory.peak", v1):
            try:
                return int(candidate.read_text().strip())
            except (OSError, ValueError):
                continue
        return None

    def record(self) -> None:
        """Keep the peak before the command ends (the scope goes with it)."""
        value = self.peak()
        if value is not None:
            self.peaks.append(value)


def new_scope(name: str) -> Scope:
    ok, _ = available()
    return Scope(f"eventlens-bench-{name}-{secrets.token_hex(3)}" if ok else None)


# Every scope of the run, for the memory benchmark: (what ran, the scope).
SCOPES: list[tuple[str, Scope]] = []
