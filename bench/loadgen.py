"""A small closed-loop HTTP/1.1 load generator, for machines without wrk.

Each connection sends one request, reads the whole answer, and sends the next, over keep-alive,
like wrk does. It is slower than wrk (Python shares the CPU with the server under test), so its
figures compare apps measured with it, never with wrk's.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """One request to send over and over."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def encode(self, host: str, port: int) -> bytes:
        """The request as it goes on the wire."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass(frozen=True)
class LoadResult:
    """What a run measured. Latencies are in microseconds."""

    requests: int
    duration_s: float
    p50_us: float
    p99_us: float
    socket_errors: int
    status_errors: int

    @property
    def requests_per_s(self) -> float:
        """Completed requests per second."""
        return self.requests / self.duration_s


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one whole response; its status and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    keep_alive = headers.get("connection", "").lower() != "close"
    return status, keep_alive


async def _connection_loop(
    host: str, port: int, payload: bytes, deadline: float, latencies: list[float], errors: list[int]
) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(payload)
            status, keep_alive = await _read_response(reader)
            latencies.append((time.perf_counter() - started) * 1e6)
            if not 200 <= status < 400:
                errors[1] += 1
            if not keep_alive:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors[0] += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def _run(host: str, port: int, request: Request, connections: int, duration: float):
    payload = request.encode(host, port)
    latencies: list[float] = []
    errors = [0, 0]
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(
            _connection_loop(host, port, payload, deadline, latencies, errors)
            for _ in range(connections)
        )
    )
    return latencies, errors, time.perf_counter() - started


def run_load(
    host: str, port: int, request: Request, *, connections: int, duration: float
) -> LoadResult:
    """Keep ``connections`` connections busy with ``request`` for ``duration`` seconds."""
    latencies, errors, elapsed = asyncio.run(_run(host, port, request, connections, duration))
    if len(latencies) < 2:
        cuts = [latencies[0] if latencies else 0.0] * 99
    else:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return LoadResult(
        requests=len(latencies),
        duration_s=elapsed,
        p50_us=cuts[49],
        p99_us=cuts[98],
        socket_errors=errors[0],
        status_errors=errors[1],
    )
