"""`eventlens up` in a memory cgroup of its own, so the kernel counts its memory (the embedded
PostgreSQL's processes included, whatever user they run as) and keeps the peak: cgroup v2's
`memory.peak`, or v1's `memory.max_usage_in_bytes`.

Where a user service manager runs, the cgroup is a transient systemd scope. Without one (a
container) the harness makes a cgroup itself, below its own, when the memory controller's
hierarchy is writable (v1's `memory` controller, or v2 with `memory` delegated to its
children), and the command joins it before it starts. Where neither works the command runs as
it is, `available()` says why, and the memory figures are the summed PSS of the process tree.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
# Joins the cgroup whose `cgroup.procs` is $0, then becomes the command.
JOIN = 'echo $$ > "$0" && exec "$@"'


@functools.cache
def available() -> tuple[bool, str]:
    """Whether commands can run in a memory cgroup of their own here, how, or why not."""
    if _systemd_scopes()[0]:
        return True, "a transient systemd scope per `eventlens up`"
    if _writable_memory_cgroup() is not None:
        return True, "a memory cgroup of its own per `eventlens up`, made below the harness's"
    return False, _systemd_scopes()[1] + "; and no writable memory cgroup hierarchy"


@functools.cache
def _systemd_scopes() -> tuple[bool, str]:
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
    return True, ""


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup path per hierarchy: v1 controllers by name, v2 as ''."""
    paths: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            paths[controller] = path
    return paths


@functools.cache
def _writable_memory_cgroup() -> Path | None:
    """The cgroup directory this process's children can be given cgroups below, if any."""
    try:
        own = _own_cgroups()
    except (OSError, ValueError):
        return None
    candidates = []
    if "memory" in own:
        candidates.append((CGROUP_ROOT / "memory" / own["memory"].lstrip("/"), "v1"))
    if "" in own:
        for root in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
            candidates.append((root / own[""].lstrip("/"), "v2"))
    for directory, version in candidates:
        if version == "v2" and not _delegates_memory(directory):
            continue
        probe = directory / f"eventlens-bench-probe-{secrets.token_hex(3)}"
        try:
            probe.mkdir()
        except OSError:
            continue
        with contextlib.suppress(OSError):
            probe.rmdir()
        return directory
    return None


def _delegates_memory(directory: Path) -> bool:
    try:
        return "memory" in (directory / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False


@dataclass
class Scope:
    """The cgroup one command runs in: a systemd unit, a directory the harness made, or none."""

    unit: str | None
    directory: Path | None = None
    peaks: list[int] = field(default_factory=list)  # bytes, read when the command stopped

    def wrap(self, args: list[str]) -> list[str]:
        if self.directory is not None:
            return ["sh", "-c", JOIN, str(self.directory / "cgroup.procs"), *args]
        if self.unit is None:
            return args
        return ["systemd-run", "--user", "--scope", "--quiet", f"--unit={self.unit}", "--", *args]

    def _cgroup(self) -> Path | None:
        if self.directory is not None:
            return self.directory
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
        """The cgroup's peak memory so far (bytes), or None where it cannot be read."""
        group = self._cgroup()
        if group is None:
            return None
        candidates = [group / "memory.peak", group / "memory.max_usage_in_bytes"]
        if self.unit is not None:  # systemd names the v2 path; v1 keeps the same one
            relative = group.relative_to(CGROUP_ROOT)
            candidates.append(CGROUP_ROOT / "memory" / relative / "memory.max_usage_in_bytes")
        for candidate in candidates:
            try:
                return int(candidate.read_text().strip())
            except (OSError, ValueError):
                continue
        return None

    def record(self) -> None:
        """Keep the peak before the command ends (a systemd scope goes with it)."""
        value = self.peak()
        if value is not None:
            self.peaks.append(value)

    def close(self) -> None:
        """Remove the cgroup the harness made, once its processes are gone."""
        if self.directory is not None:
            with contextlib.suppress(OSError):
                self.directory.rmdir()


def new_scope(name: str) -> Scope:
    label = f"eventlens-bench-{name}-{secrets.token_hex(3)}"
    if not available()[0]:
        return Scope(None)
    if _systemd_scopes()[0]:
        return Scope(label)
    parent = _writable_memory_cgroup()
    assert parent is not None  # available() found it
    directory = parent / label
    directory.mkdir()
    return Scope(None, directory)


# Every scope of the run, for the memory benchmark: (what ran, the scope).
SCOPES: list[tuple[str, Scope]] = []
