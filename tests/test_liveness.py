"""``api.liveness``: the start-up helpers shared by the tests, bench/ and scripts."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from api.liveness import free_port, wait_until_healthy


def test_free_port_can_be_listened_on():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_a_process_that_exits_is_reported_with_what_it_printed(tmp_path):
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", "print('cannot start: no config')"], stdout=output
        )
    process.wait(timeout=30)
    with pytest.raises(RuntimeError, match="exited with 0:\ncannot start: no config"):
        wait_until_healthy(free_port(), process, log)


def test_a_process_that_never_answers_is_reported_after_the_timeout():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        port = free_port()
        with pytest.raises(RuntimeError, match=f"did not answer /healthz on port {port}"):
            wait_until_healthy(port, process, timeout=0.5)
    finally:
        process.kill()
        process.wait()
