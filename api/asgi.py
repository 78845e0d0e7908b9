"""Serve a WSGI app over ASGI: read the whole body first, then call the app on the event loop.

Granian's WSGI interface drops every request header holding a non-ASCII byte (such as a Cookie
that page script set to raw UTF-8) and runs the app on a pool of threads, where a client that
stops halfway through its body holds a thread. Its ASGI interface passes header bytes through.
So ``cookie-api`` serves over ASGI through this adapter: the body is read without blocking, up to
the largest size limit of any route, and only then is the app called, inline, since it never
waits on I/O.

This module needs only the standard library and a2wsgi, so the benchmark can put other WSGI apps
(the bare-Flask floor, httpbin) behind the same adapter in their own virtualenvs.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from a2wsgi.wsgi import build_environ

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class InlineWSGI:
    """An ASGI app that answers each HTTP request with ``wsgi_app``, called once its body is in.

    The body is read up to ``max_body + 1`` bytes, ``max_body`` being the largest limit of any
    route. A longer body, or a Content-Length over ``max_body``, is left for the app to refuse,
    as it refuses a body over a smaller route's limit (Flask's ``max_content_length`` answers
    413); what was read is all the app sees.
    """

    def __init__(self, wsgi_app: WSGIApp, max_body: int) -> None:
        self.wsgi_app = wsgi_app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no websockets here; lifespan is off (asginl)
            return
        body = await self.read_body(scope, receive)
        environ = build_environ(scope, io.BytesIO(body))
        # The app runs on the loop thread, one request at a time per worker process.
        environ["wsgi.multithread"] = False
        environ["wsgi.input_terminated"] = True

        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
            started[:] = [status, headers]
            return _refuse_write

        result = self.wsgi_app(environ, start_response)
        try:
            chunks = iter(result)
            previous = next(chunks, b"")
            status, headers = started
            await send(
                {
                    "type": "http.response.start",
                    "status": int(status[:3]),
                    "headers": [
                        (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
                    ],
                }
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
        """The request body, cut after ``max_body + 1`` bytes; none if announced longer."""
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_body:
                    return b""
                has_body = True
            elif name == b"transfer-encoding":
                has_body = True
        if not has_body:  # RFC 9112 §6.3: without either header the body is empty
            return b""
        chunks = []
        size = 0
        while size <= self.max_body:
            message = await receive()
            if message["type"] != "http.request":  # the client left: answer what came
                break
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)[: self.max_body + 1]


def _refuse_write(data: bytes) -> None:
    raise NotImplementedError("write() is not supported: return the body instead")
