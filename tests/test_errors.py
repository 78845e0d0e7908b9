"""Every error is RFC 9457 problem+json: never HTML, never a 500 for client input."""

from __future__ import annotations

import io

import pytest

from api import DEFAULTS, create_app

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == status
    assert problem["type"] == "about:blank"
    assert problem["title"]
    assert problem["detail"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return problem


def json_post(body: bytes, content_type: str = "application/json") -> dict:
    return {"data": body, "content_type": content_type}


BAD_REQUESTS = {
    "unknown route": ("GET", "/nope", {}, 404),
    "unknown route under /cookies": ("GET", "/cookies/a/b", {}, 404),
    "wrong method": ("PUT", "/cookies", {}, 405),
    "wrong method on a cookie": ("POST", "/cookies/a", {}, 405),
    "no content type": ("POST", "/cookies", {"data": b"{}"}, 415),
    "form body": ("POST", "/cookies", {"data": {"name": "a", "value": "b"}}, 415),
    "text/plain": ("POST", "/cookies", json_post(b'{"name":"a","value":"b"}', "text/plain"), 415),
    "latin-1 JSON": (
        "POST",
        "/cookies",
        json_post(b"{}", "application/json; charset=latin-1"),
        415,
    ),
    "malformed JSON": ("POST", "/cookies", json_post(b'{"name": '), 400),
    "empty body": ("POST", "/cookies", json_post(b""), 400),
    "invalid UTF-8": ("POST", "/cookies", json_post(b'{"name": "\xff", "value": ""}'), 400),
    "UTF-8 BOM": ("POST", "/cookies", json_post(b'\xef\xbb\xbf{"name":"a","value":"b"}'), 400),
    "an array": ("POST", "/cookies", json_post(b'[{"name": "a"}]'), 400),
    "a string": ("POST", "/cookies", json_post(b'"a=b"'), 400),
    "null": ("POST", "/cookies", json_post(b"null"), 400),
    "NaN": ("POST", "/cookies", json_post(b'{"name":"a","value":"b","max_age":NaN}'), 400),
    "Infinity": (
        "POST",
        "/cookies",
        json_post(b'{"name":"a","value":"b","max_age":Infinity}'),
        400,
    ),
    "duplicate keys": ("POST", "/cookies", json_post(b'{"name":"a","name":"b","value":""}'), 400),
    "huge integer": ("POST", "/cookies", json_post(b'{"max_age": ' + b"9" * 5000 + b"}"), 400),
    "deep nesting": ("POST", "/cookies", json_post(b"[" * 20000 + b"]" * 20000), 400),
    "over the size limit": ("POST", "/cookies", json_post(b" " * (64 * 1024 + 1)), 413),
}


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"), BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys()
)
def test_errors_are_problem_details(client, method, url, kwargs, status):
    assert_problem(client.open(url, method=method, **kwargs), status)


def test_body_errors_are_listed_under_body(client):
    response = client.post("/cookies", data=b"[1]", content_type="application/json")
    problem = assert_problem(response, 400)
    assert problem["errors"] == {"_body": ["The body must be a JSON object, not an array."]}


def test_duplicate_key_is_named(client):
    response = client.post(
        "/cookies", data=b'{"name":"a","value":"","value":"x"}', content_type="application/json"
    )
    assert "'value'" in assert_problem(response, 400)["detail"]


def test_method_not_allowed_lists_the_allowed_methods(client):
    response = client.put("/cookies")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_size_limit_is_configurable():
    client = create_app({"MAX_CONTENT_LENGTH": 100}).test_client(use_cookies=False)
    body = {"name": "a", "value": "x" * 200}
    problem = assert_problem(client.post("/cookies", json=body), 413)
    assert "100 bytes" in problem["detail"]


def test_validation_problem_lists_errors(client):
    problem = assert_problem(client.post("/cookies", json={"name": "a b"}), 400)
    assert set(problem["errors"]) == {"name", "value"}


def test_a_bug_is_a_500_problem_not_a_page():
    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("bug")

    assert_problem(app.test_client().get("/boom"), 500)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "kind"), [(b"true", "a boolean"), (b"12", "a number"), (b"null", "null")]
)
def test_non_object_bodies_are_named(client, body, kind):
    response = client.post("/cookies", data=body, content_type="application/json")
    assert assert_problem(response, 400)["detail"].endswith(f"not {kind}.")


def test_garbage_host_header_is_a_client_error(client):
    body = {"name": "a", "value": "b", "domain": "example.com"}
    response = client.post("/cookies", json=body, headers={"Host": "[bad"})
    assert assert_problem(response, 400)["detail"] == "The Host header is not a valid host name."


BAD_HOSTS = {"empty label": "a..b", "label over 63 characters": "a" * 64 + ".example"}


@pytest.mark.parametrize("host", BAD_HOSTS.values(), ids=BAD_HOSTS.keys())
@pytest.mark.parametrize("path", ["/healthz", "/cookies", "/cookies/a", "/docs", "/", "/nope"])
def test_a_host_that_is_no_host_name_is_a_400_problem_and_logs_nothing(caplog, host, path):
    """Flask-RESTX matched the URL again inside its error handler, raising BadHost: a 500."""
    client = create_app().test_client()
    with caplog.at_level("DEBUG"):
        response = client.get(path, headers={"Host": host})
    assert assert_problem(response, 400)["detail"] == "The Host header is not a valid host name."
    assert caplog.records == []


def test_garbage_origin_header_is_ignored(client):
    response = client.post(
        "/cookies", json={"name": "a", "value": "b"}, headers={"Origin": "http://[x"}
    )
    assert response.status_code == 201
    assert response.get_json()["warnings"] == []


def test_the_detail_reads_as_sentences(client):
    """Messages ran together: "...browsers drop such cookies secure: the __Host- prefix..."."""
    body = {"name": "__Host-id", "value": "1", "samesite": "None", "secure": False}
    problem = assert_problem(client.post("/cookies", json=body), 400)
    assert problem["detail"] == (
        "samesite: SameSite=None requires secure: true; browsers drop such cookies. "
        "secure: the __Host- prefix requires secure: true; browsers drop such cookies."
    )


LIMIT = DEFAULTS["MAX_CONTENT_LENGTH"]


@pytest.mark.parametrize(("over", "status"), [(0, 201), (1, 413)], ids=["at-limit", "one-over"])
def test_a_streamed_body_is_held_to_the_limit_to_its_last_byte(over, status):
    """Werkzeug stopped reading a chunked body at the limit and parsed what it had: a 201."""
    body = b'{"name": "a", "value": "b"}'
    body += b" " * (LIMIT - len(body) + over)
    # As Granian hands over a chunked body: no Content-Length, the input terminated.
    response = (
        create_app({"TESTING": True})
        .test_client()
        .post(
            "/cookies",
            input_stream=io.BytesIO(body),
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
    )
    assert response.status_code == status


def test_a_body_cut_short_of_its_content_length_is_refused(client):
    """Granian hands over what came before a client left: a valid prefix was set as a cookie."""
    response = client.post(
        "/cookies",
        data=b'{"name": "a", "value": "b"}',
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": "500"},
    )
    problem = assert_problem(response, 400)
    assert problem["errors"] == {
        "_body": ["The body ended after 27 of the 500 bytes that Content-Length announced."]
    }
    assert [finding["code"] for finding in problem["findings"]] == ["invalid_body"]


class Trickle(io.RawIOBase):
    """A server's input stream that hands over a few bytes a read, as a socket may."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), 5, len(self.data))
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size


def test_a_body_handed_over_in_pieces_is_read_whole(client):
    body = b'{"name": "pieces", "value": "read one by one"}'
    response = client.post(
        "/cookies",
        data=body,
        content_type="application/json",
        environ_overrides={"wsgi.input": Trickle(body)},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["value"] == "read one by one"
