"""Where the API processes of one instance count their metrics (see `api.metrics`)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_dir() -> None:
    """Give this process and the API processes it starts a fresh directory to count in
    (unless the operator named one), removed when this process exits. Called before
    `prometheus_client` is first imported, which reads the directory once."""
    if os.environ.get(MULTIPROC_ENV):
        return
    directory = tempfile.mkdtemp(prefix="eventlens-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
