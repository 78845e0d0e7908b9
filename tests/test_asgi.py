"""``api.asgi.InlineWSGI``: the WSGI app behind cookie-api's ASGI server, driven as a server would.

The server's side of ASGI (``receive`` and ``send``) is played by lists of messages; what the
WSGI app sees and what goes back out are asserted. The live-server tests run the same adapter
under Granian.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from api import create_app
from api.asgi import InlineWSGI
from api.cli import create_server_app

JSON = (b"content-type", b"application/json")


def http_scope(method: str = "GET", path: str = "/", headers=(), query: bytes = b"") -> dict:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
    }


def serve(app, scope: dict, chunks: list[dict] | None = None) -> list[dict]:
    """Run one request through the adapter; the messages it sent."""
    incoming = list(chunks or [{"type": "http.request", "body": b"", "more_body": False}])
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def body_of(sent: list[dict]) -> bytes:
    return b"".join(message.get("body", b"") for message in sent[1:])


class Recorder:
    """A WSGI app that records its environ and the body it read, and answers in ``parts``."""

    def __init__(self, parts: list[bytes] | None = None) -> None:
        self.parts = parts if parts is not None else [b"ok"]
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.closed = False

    def __call__(self, environ, start_response):
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        start_response("201 CREATED", [("Content-Type", "text/plain"), ("X-Name", "café")])
        return self

    def __iter__(self):
        return iter(self.parts)

    def close(self) -> None:
        self.closed = True


def test_raw_header_bytes_reach_the_app_as_latin_1_strings():
    """PEP 3333: header values are native strings holding the bytes as latin-1."""
    recorder = Recorder()
    cookie = "a=1; n=café; e=🍪".encode()
    serve(InlineWSGI(recorder, max_body=100), http_scope(headers=[(b"cookie", cookie)]))
    assert recorder.environ["HTTP_COOKIE"] == cookie.decode("latin-1")
    assert recorder.environ["HTTP_COOKIE"].encode("latin-1").decode() == "a=1; n=café; e=🍪"


def test_the_status_headers_and_every_part_of_the_body_go_out_in_order():
    recorder = Recorder([b"one", b"", b"two", b"three"])
    sent = serve(InlineWSGI(recorder, max_body=100), http_scope())
    assert sent[0] == {
        "type": "http.response.start",
        "status": 201,
        "headers": [(b"Content-Type", b"text/plain"), (b"X-Name", "café".encode("latin-1"))],
    }
    assert body_of(sent) == b"onetwothree"
    assert [message.get("more_body", False) for message in sent[1:]] == [True, True, False]
    assert recorder.closed


def test_a_one_part_answer_is_sent_as_one_message():
    sent = serve(InlineWSGI(Recorder([b"whole"]), max_body=100), http_scope())
    assert sent[1:] == [{"type": "http.response.body", "body": b"whole"}]


def test_an_empty_answer_ends_the_response():
    sent = serve(InlineWSGI(Recorder([]), max_body=100), http_scope())
    assert sent[1:] == [{"type": "http.response.body", "body": b""}]


CHUNKED = (b"transfer-encoding", b"chunked")


def test_a_request_without_content_length_or_chunked_framing_has_no_body():
    recorder = Recorder()
    chunks = [{"type": "http.request", "body": b"never read", "more_body": False}]
    serve(InlineWSGI(recorder, max_body=100), http_scope("GET"), chunks)
    assert recorder.body == b""


def test_the_body_is_read_whole_before_the_app_runs():
    recorder = Recorder()
    chunks = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": False},
    ]
    serve(InlineWSGI(recorder, max_body=100), http_scope("POST", headers=[CHUNKED]), chunks)
    assert recorder.body == b"abcd"
    assert recorder.environ["wsgi.input_terminated"] is True
    assert recorder.environ["wsgi.multithread"] is False


def test_a_body_over_the_limit_is_cut_one_byte_past_it():
    """One byte more than the limit is enough for the app to answer 413; no more is read."""
    recorder = Recorder()
    chunks = [{"type": "http.request", "body": b"x" * 8, "more_body": True}] * 3
    sent = serve(InlineWSGI(recorder, max_body=10), http_scope("POST", headers=[CHUNKED]), chunks)
    assert recorder.body == b"x" * 11
    assert sent[0]["status"] == 201


def test_a_content_length_over_the_limit_is_not_read_at_all():
    recorder = Recorder()
    received = []
    chunks = [{"type": "http.request", "body": b"x" * 50, "more_body": False}]

    async def run() -> None:
        async def receive() -> dict:
            received.append(True)
            return chunks[0]

        async def send(message: dict) -> None:
            pass

        app = InlineWSGI(recorder, max_body=10)
        await app(http_scope("POST", headers=[(b"content-length", b"50")]), receive, send)

    asyncio.run(run())
    assert received == []
    assert recorder.body == b""
    assert recorder.environ["CONTENT_LENGTH"] == "50"


def test_a_client_that_leaves_mid_body_gets_what_it_sent_judged():
    recorder = Recorder()
    chunks = [{"type": "http.request", "body": b"half", "more_body": True}]
    scope = http_scope("POST", headers=[(b"content-length", b"10")])
    serve(InlineWSGI(recorder, max_body=100), scope, chunks)
    assert recorder.body == b"half"


def test_lifespan_and_websocket_scopes_are_left_alone():
    recorder = Recorder()
    assert serve(InlineWSGI(recorder, max_body=100), {"type": "lifespan"}) == []
    assert recorder.environ == {}


def test_write_from_start_response_is_refused():
    def writer(environ, start_response):
        write = start_response("200 OK", [])
        write(b"old style")
        return []

    with pytest.raises(NotImplementedError):
        serve(InlineWSGI(writer, max_body=100), http_scope())


@pytest.mark.parametrize(
    ("body", "status"),
    [(b'{"name": "a", "value": "b"}', 201), (b'{"name": "a", "value": "%s"}' % (b"x" * 99), 413)],
    ids=["under", "over"],
)
def test_cookie_api_behind_the_adapter_sets_a_cookie_and_refuses_a_large_body(body, status):
    app = create_app({"MAX_CONTENT_LENGTH": 64})
    adapter = InlineWSGI(app, max_body=64)
    chunks = [{"type": "http.request", "body": body, "more_body": False}]
    sent = serve(adapter, http_scope("POST", "/cookies", [JSON, CHUNKED]), chunks)
    assert sent[0]["status"] == status


def test_cookie_api_reads_bodies_up_to_the_largest_limit_of_any_route(monkeypatch):
    """POST /lint's: the configured limit plus room for 50 headers of 8 KiB, at worst escaped."""
    monkeypatch.setenv("COOKIE_API_MAX_CONTENT_LENGTH", "100")
    server_app = create_server_app()
    assert isinstance(server_app, InlineWSGI)
    assert server_app.max_body == 100 + 50 * 8 * 1024 * 6


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/lint", b'{"url": "https://a.test/", "set_cookie": ["a=1"]}', 200),
        ("/lint", b'{"url": "https://a.test/", "set_cookie": ["a=%s"]}' % (b"x" * 8190), 200),
        ("/cookies", b'{"name": "a", "value": "b"}', 201),
        ("/cookies", b'{"name": "a", "value": "%s"}' % (b"x" * 8190), 413),
    ],
    ids=["lint-small", "lint-over-the-app-limit", "cookies-small", "cookies-over-the-app-limit"],
)
def test_bodies_arrive_whole_for_lint_while_other_routes_keep_their_limit(
    monkeypatch, path, body, status
):
    """The adapter reads up to /lint's limit; the app still answers 413 on the other routes."""
    monkeypatch.setenv("COOKIE_API_MAX_CONTENT_LENGTH", "8192")
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    sent = serve(create_server_app(), http_scope("POST", path, [JSON, CHUNKED]), chunks)

    assert sent[0]["status"] == status
    if status == 413:
        assert (b"Content-Type", b"application/problem+json") in sent[0]["headers"]
        assert b"larger than 8192 bytes" in body_of(sent)


def test_each_route_is_read_only_up_to_its_own_limit(monkeypatch):
    """Only POST /lint may buffer its 2.4 MB: a body sent to another route stops being read one
    byte past that route's limit, and the app answers its 413. Before, every route buffered up
    to POST /lint's limit."""
    monkeypatch.setenv("COOKIE_API_MAX_CONTENT_LENGTH", "100")
    received = []

    async def receive() -> dict:
        received.append(True)
        return {"type": "http.request", "body": b"x" * 50, "more_body": True}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = http_scope("POST", "/cookies", [JSON, CHUNKED])
    asyncio.run(create_server_app()(scope, receive, send))
    assert len(received) == 3  # 150 bytes: past the 100 of /cookies, far short of /lint's
    assert sent[0]["status"] == 413
    assert b"larger than 100 bytes" in body_of(sent)


def run_stalling(app: InlineWSGI, chunks: list[bytes], pause: float) -> tuple[list[dict], float]:
    """Serve one POST whose client sends ``chunks``, then one more every ``pause`` seconds
    (never, if ``pause`` is 0); the messages sent and how long it took. Fails after 5 s."""

    async def run() -> list[dict]:
        sent: list[dict] = []
        pending = list(chunks)

        async def receive() -> dict:
            if pending:
                return {"type": "http.request", "body": pending.pop(0), "more_body": True}
            if not pause:
                await asyncio.Event().wait()
            await asyncio.sleep(pause)
            return {"type": "http.request", "body": b"x", "more_body": True}

        async def send(message: dict) -> None:
            sent.append(message)

        headers = [(b"content-length", b"90")]
        await asyncio.wait_for(app(http_scope("POST", headers=headers), receive, send), 5)
        return sent

    started = time.monotonic()
    sent = asyncio.run(run())
    return sent, time.monotonic() - started


def test_a_body_that_stops_arriving_is_answered_by_the_timeout_app_and_closed():
    recorder = Recorder()
    app = InlineWSGI(Recorder(), max_body=100, timeout_app=recorder, idle_timeout=0.2)
    sent, seconds = run_stalling(app, [b"half"], pause=0)
    assert 0.2 <= seconds < 1
    assert sent[0]["status"] == 201  # the Recorder standing in for the 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert recorder.body == b""


def test_a_body_that_trickles_in_is_cut_at_the_deadline():
    """A byte every 50 ms keeps the idle timeout at bay, not the deadline."""
    app = InlineWSGI(Recorder(), max_body=100, idle_timeout=0.2, deadline=0.5)
    sent, seconds = run_stalling(app, [], pause=0.05)
    assert 0.5 <= seconds < 1
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]


def test_cookie_api_answers_a_stalled_body_408_in_problem_json():
    app = create_server_app()
    app.idle_timeout = 0.1
    sent, _ = run_stalling(app, [b"{"], pause=0)
    assert sent[0]["status"] == 408
    assert (b"Content-Type", b"application/problem+json") in sent[0]["headers"]
    assert (b"X-Content-Type-Options", b"nosniff") in sent[0]["headers"]
    assert json.loads(body_of(sent))["status"] == 408


@pytest.mark.parametrize(
    ("headers", "environ"),
    [
        (
            [(b"x_forwarded_host", b"evil"), (b"x-forwarded-host", b"good")],
            {"X_FORWARDED_HOST": "good"},
        ),
        ([(b"cookie", b"a=1"), (b"cookie", b"s=2")], {"COOKIE": "a=1; s=2"}),
        ([(b"accept", b"a"), (b"accept", b"b")], {"ACCEPT": "a,b"}),
    ],
    ids=["underscore-dropped", "cookie-lines-joined-with-semicolon", "others-joined-with-comma"],
)
def test_request_headers_reach_the_app_cleaned(headers, environ):
    recorder = Recorder()
    serve(InlineWSGI(recorder, max_body=100), http_scope(headers=headers))
    assert {key: recorder.environ.get(f"HTTP_{key}") for key in environ} == environ
