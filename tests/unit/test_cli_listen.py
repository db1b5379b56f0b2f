"""What `eventlens up` says when it cannot take its port."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from eventlens.cli import _listen
from eventlens.config import Settings


def test_a_port_in_use_is_named_with_the_setting_that_changes_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = dataclasses.replace(Settings(), host="127.0.0.1", port=port)

        with pytest.raises(SystemExit) as refused:
            _listen(settings)

    message = str(refused.value)
    assert f"127.0.0.1:{port}" in message
    assert "EVENTLENS_PORT" in message
    assert "--port" in message
