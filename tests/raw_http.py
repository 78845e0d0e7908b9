"""Raw HTTP/1.1 exchanges with a real server, for requests no well-behaved client would send."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class RawResponse:
    """What came back on the connection; ``status`` is None when the server closed silently."""

    status: int | None
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes

    def header(self, name: str) -> list[str]:
        """Every value of a header, in order."""
        return [value for key, value in self.headers if key == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def build_request(
    method: str,
    target: bytes,
    headers: list[tuple[bytes, bytes]] = (),
    body: bytes | None = None,
    *,
    host: bytes = b"127.0.0.1",
    content_length: bool = True,
) -> bytes:
    """One request as bytes; Connection: close so that the answer ends with the connection."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + host]
    lines += [name + b": " + value for name, value in headers]
    if body is not None and content_length:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


def chunked(body: bytes, chunk_size: int = 7) -> bytes:
    """``body`` in chunked transfer coding (RFC 9112 §7.1), ``chunk_size`` bytes a chunk."""
    chunks = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def parse_response(data: bytes) -> RawResponse:
    """Split the first response on the wire into status, headers and body."""
    if not data:
        return RawResponse(None, [], b"", data)
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    length = next((int(value) for name, value in headers if name == "content-length"), len(rest))
    return RawResponse(int(status_line.split()[1]), headers, rest[:length], data)


def exchange(
    base_url: str, request: bytes, *, timeout: float = 10, half_close: bool = False
) -> RawResponse:
    """Send raw bytes, read until the server closes the connection (bounded by ``timeout``).

    A server may answer and close before it has read everything (a 413, say): a failed send is
    then not an error, the answer is what counts.
    """
    received = b""
    with socket.create_connection(address(base_url), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return parse_response(received)


def is_healthy(base_url: str) -> bool:
    """Whether /healthz answers 200 within a few seconds."""
    host, port = address(base_url)
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def server_processes(base_url: str) -> set[int]:
    """The pids of the cookie-api main process and its workers serving ``base_url`` (Linux)."""
    port = str(address(base_url)[1]).encode()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        is_cookie_api = any(arg.endswith(b"cookie-api") for arg in argv)
        if is_cookie_api and b"--port" in argv and argv[argv.index(b"--port") + 1 :][:1] == [port]:
            pids.add(int(entry.name))
    return pids
