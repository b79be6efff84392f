"""MockProcess: the mock as a real subprocess, started, waited for and stopped by a context manager."""

from __future__ import annotations

import socket

import httpx
import pytest

from mockserver.testing import MockProcess

from .helpers import MESSAGE_BODY, headers


def test_mock_process_runs_a_real_server_and_stops_it():
    with MockProcess(port=0, args=["--stateless", "--seed", "5"]) as mock:
        assert mock.port != 0 and mock.base_url == f"http://127.0.0.1:{mock.port}"
        assert mock.health()["stateless"] is True
        reply = httpx.post(f"{mock.base_url}/v1/messages", json=MESSAGE_BODY, headers=headers())
        assert reply.status_code == 200 and reply.json()["type"] == "message"
        assert mock.process.pid != 0 and "mode     stateless" in mock.output()
        process = mock.process
    assert process.returncode is not None  # stopped on exit
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", mock.port), timeout=1):
        pass


def test_a_process_that_cannot_start_raises_with_its_output():
    with pytest.raises(RuntimeError, match="exited with status 2") as error:
        MockProcess(args=["--error-rate", "nonsense"]).start()
    assert "nonsense" in str(error.value)  # the server's own message, from its output
