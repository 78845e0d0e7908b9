"""``api.liveness``: the start-up and shut-down helpers shared by the tests, bench/ and scripts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.liveness import free_port, wait_or_kill, wait_until_healthy


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
    wait_or_kill(process, timeout=30)
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


def test_a_process_that_exits_in_time_gives_its_exit_status():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    assert wait_or_kill(process, timeout=30) == 3
    assert process.returncode == 3


def test_a_process_that_outlives_the_wait_is_killed_and_reaped():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert wait_or_kill(process, timeout=0.5) == -signal.SIGKILL
        # Reaped: the exit status is known without another wait.
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()


def is_running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_process_group_that_outlives_the_wait_is_killed_whole():
    # A parent that starts a child, as a server starts its workers; neither stops by itself.
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(30)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        child = int(process.stdout.readline())
        assert wait_or_kill(process, timeout=0.5) == -signal.SIGKILL
        # The child got the same SIGKILL; wait for it to take effect, not for a given time.
        deadline = time.monotonic() + 10
        while is_running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_running(child)
    finally:
        process.stdout.close()
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
