"""What the numbers were measured on."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
from pathlib import Path

import psutil


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, str]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu_model(),
        "cores": str(cores),
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
    }


def revision(root: Path) -> str:
    """The commit measured, and whether the source differed from it."""
    git = shutil.which("git")
    if git is None:
        return "unknown"

    def run(*args: str) -> str:
        done = subprocess.run(
            [git, "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = run("rev-parse", "--short", "HEAD") or "unknown"
    dirty = run("status", "--porcelain", "--", "src")
    return f"{commit} + uncommitted changes in src/" if dirty else commit


def src_fingerprint(root: Path) -> str:
    """A digest of the source measured (commit, uncommitted changes and new files in src/),
    to notice src/ changing while a run goes on."""
    git = shutil.which("git")
    if git is None:
        return ""
    digest = hashlib.sha256()
    for args in (
        ["rev-parse", "HEAD:src"],  # the committed tree of src/ (not HEAD: bench/ may change)
        ["diff", "HEAD", "--", "src"],
        ["ls-files", "--others", "--exclude-standard", "--", "src"],
    ):
        done = subprocess.run([git, "-C", str(root), *args], capture_output=True, check=False)
        digest.update(done.stdout)
        if args[0] == "ls-files":
            for name in done.stdout.decode().split():
                path = root / name
                if path.is_file():
                    digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
