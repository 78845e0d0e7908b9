"""Start-up and shut-down helpers for whoever runs ``cookie-api`` processes: the tests, the
benchmark, scripts.

They live in the installed package because that is the one place every such program can import
without touching ``sys.path``: pytest's conftest, ``bench/*.py`` run as scripts, and deployment
scripts alike.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(
    port: int,
    process: subprocess.Popen,
    log: Path | None = None,
    *,
    path: str = "/healthz",
    timeout: float = 30,
) -> None:
    """Poll ``GET path`` on 127.0.0.1 until it answers 200; RuntimeError if the process exits
    first (with what it printed to ``log``) or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace") if log else ""
            raise RuntimeError(f"{process.args} exited with {process.returncode}:\n{output}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            # An unclosed socket is a ResourceWarning, which the test suite turns into an error.
            connection.close()
    raise RuntimeError(f"{process.args} did not answer {path} on port {port} in {timeout} s")


def wait_or_kill(process: subprocess.Popen, timeout: float) -> int:
    """Wait up to ``timeout`` seconds for ``process`` to exit, then kill it (with its process
    group, if it leads one); its exit status.

    Either way the process is reaped. One that is killed but never waited for stays a zombie,
    and its ``Popen`` warns (ResourceWarning: "subprocess ... is still running") whenever it is
    garbage-collected, which the test suite turns into an error in whatever test runs then.
    """
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Killing only a server would leave its worker processes running, holding its port: a
        # process started with start_new_session=True leads a group of its own, killed whole.
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        return process.wait()
