"""Serve a WSGI app over ASGI: read the whole body first, then call the app on the event loop.

Granian's WSGI interface drops every request header holding a non-ASCII byte (such as a Cookie
that page script set to raw UTF-8) and runs the app on a pool of threads, where a client that
stops halfway through its body holds a thread. Its ASGI interface passes header bytes through.
So ``cookie-api`` serves over ASGI through this adapter: the body is read without blocking, up to
the largest size limit of any route, and only then is the app called, inline, since it never
waits on I/O.

A client must not hold a worker's memory or a connection for ever: each route's body is read up to
that route's own limit (only POST /lint's is large), a body that stops arriving for
``BODY_IDLE_TIMEOUT`` seconds, or is not whole after ``BODY_DEADLINE`` seconds, is answered 408
and its connection closed. The request headers are cleaned on the way in (``wsgi_headers``).

This module needs only the standard library and a2wsgi, so the benchmark can put other WSGI apps
(the bare-Flask floor, httpbin) behind the same adapter in their own virtualenvs.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from a2wsgi.wsgi import build_environ

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A client that sends no byte of its body for this long is answered 408: on a real network the
# next packet of a body comes within milliseconds, and a phone that lost its signal is gone.
BODY_IDLE_TIMEOUT = 5.0
# The whole body, however it trickles in: 2.4 MB (POST /lint's limit) at 80 KB/s.
BODY_DEADLINE = 30.0


def _bare_timeout(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("408 Request Timeout", [("Content-Length", "0")])
    return []


def wsgi_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The request headers as the app may see them.

    - A name holding "_" is dropped: WSGI spells "X-Forwarded-Host" and "X_Forwarded_Host" the
      same (HTTP_X_FORWARDED_HOST), so a client could add to what a proxy set. nginx and
      gunicorn (since 22) drop them too; no browser sends one.
    - Several Cookie lines become one, joined with "; " as RFC 9113 §8.2.3 joins HTTP/2's, not
      with the "," that joins other headers: "a=1" and "s=x" are two cookies, not one "a" whose
      value is "1,s=x".
    """
    kept = []
    cookies = []
    for name, value in headers:
        if b"_" in name:
            continue
        if name == b"cookie":
            cookies.append(value)
        else:
            kept.append((name, value))
    if cookies:
        kept.append((b"cookie", b"; ".join(cookies)))
    return kept


class BodyTimeout(Exception):
    """The client stopped sending its body, or took too long over it."""


class InlineWSGI:
    """An ASGI app that answers each HTTP request with ``wsgi_app``, called once its body is in.

    The body is read up to ``body_limit(method, path) + 1`` bytes (``max_body``, the largest
    limit of any route, when no ``body_limit`` is given). A longer body, or a Content-Length
    over the limit, is left for the app to refuse (Flask's ``max_content_length`` answers 413);
    what was read is all the app sees. A body that times out is answered by ``timeout_app``
    (a bare 408 unless given), and the connection closed.
    """

    def __init__(
        self,
        wsgi_app: WSGIApp,
        max_body: int,
        *,
        body_limit: Callable[[str, str], int] | None = None,
        timeout_app: WSGIApp | None = None,
        idle_timeout: float = BODY_IDLE_TIMEOUT,
        deadline: float = BODY_DEADLINE,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.max_body = max_body
        self.body_limit = body_limit or (lambda method, path: max_body)
        self.timeout_app = timeout_app or _bare_timeout
        self.idle_timeout = idle_timeout
        self.deadline = deadline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no websockets here; lifespan is off (asginl)
            return
        scope["headers"] = wsgi_headers(scope["headers"])
        app = self.wsgi_app
        try:
            body = await self.read_body(scope, receive)
        except BodyTimeout:
            app, body = self.timeout_app, b""
        environ = build_environ(scope, io.BytesIO(body))
        # The app runs on the loop thread, one request at a time per worker process.
        environ["wsgi.multithread"] = False
        environ["wsgi.input_terminated"] = True
        await self.respond(app, environ, send, close=app is self.timeout_app)

    async def respond(self, app: WSGIApp, environ: dict[str, Any], send: Send, close: bool) -> None:
        """Call ``app`` and send its answer; with ``close``, the connection ends after it."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            started[:] = [status, headers]
            return _refuse_write

        result = app(environ, start_response)
        try:
            chunks = iter(result)
            previous = next(chunks, b"")
            status, headers = started
            raw_headers = [
                (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
            ]
            if close:
                raw_headers.append((b"connection", b"close"))
            await send(
                {"type": "http.response.start", "status": int(status[:3]), "headers": raw_headers}
            )
            # A streamed answer (a static file) goes out chunk by chunk; most are one chunk.
            for chunk in chunks:
                if previous:
                    await send({"type": "http.response.body", "body": previous, "more_body": True})
                previous = chunk
            await send({"type": "http.response.body", "body": previous})
        finally:
            if hasattr(result, "close"):
                result.close()

    async def read_body(self, scope: Scope, receive: Receive) -> bytes:
        """The request body, cut after its route's limit + 1 bytes; none if announced longer.

        Raises ``BodyTimeout`` when the client sends nothing for ``idle_timeout`` seconds, or
        the body is not whole after ``deadline`` seconds.
        """
        limit = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                limit = self.body_limit(scope["method"], scope["path"])
                if value.isdigit() and int(value) > limit:
                    return b""
            elif name == b"transfer-encoding":
                limit = self.body_limit(scope["method"], scope["path"])
        if limit is None:  # RFC 9112 §6.3: without either header the body is empty
            return b""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.deadline
        chunks = []
        size = 0
        while size <= limit:
            try:
                async with asyncio.timeout_at(min(loop.time() + self.idle_timeout, give_up)):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] != "http.request":  # the client left: answer what came
                break
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)[: limit + 1]


def _refuse_write(data: bytes) -> None:
    raise NotImplementedError("write() is not supported: return the body instead")
