"""``cookie-api`` refuses a port that another server already listens on."""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

from tests.conftest import cookie_api_executable


def test_a_second_server_on_a_busy_port_exits_with_a_message(live_server):
    port = urlsplit(live_server).port

    result = subprocess.run(
        [cookie_api_executable(), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
