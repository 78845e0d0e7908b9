"""Bugs the hardening suites found, each pinned by the smallest request that showed it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api import DEFAULTS, create_app

LIMIT = DEFAULTS["MAX_CONTENT_LENGTH"]


def test_expires_with_an_offset_goes_out_in_gmt(client):
    """An offset other than Z made the Set-Cookie formatting raise: a 500."""
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    local = expires.astimezone(timezone(timedelta(hours=2)))
    response = client.post(
        "/cookies", json={"name": "a", "value": "b", "expires": local.isoformat()}
    )
    assert response.status_code == 201
    assert f"Expires={expires.strftime('%a, %d %b %Y %H:%M:%S')} GMT" in response.headers[
        "Set-Cookie"
    ].split("; ")


def post_streamed(body: bytes):
    """POST a body the way Granian hands over a chunked one: no Content-Length, terminated."""
    app = create_app({"TESTING": True})
    return app.test_client().post(
        "/cookies",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize(
    ("over", "status"), [(0, 201), (1, 413), (LIMIT, 413)], ids=["at-limit", "one-over", "far-over"]
)
def test_a_chunked_body_over_the_limit_is_refused(over, status):
    """Werkzeug stopped reading at the limit and the truncated body was parsed: a 201."""
    body = b'{"name": "a", "value": "b"}'
    body += b" " * (LIMIT - len(body) + over)
    response = post_streamed(body)
    assert response.status_code == status


def test_a_body_cut_short_of_its_content_length_is_refused():
    """Granian hands over what came before a client left: a valid prefix was set as a cookie."""
    app = create_app({"TESTING": True})
    response = app.test_client().post(
        "/cookies",
        data=b'{"name": "a", "value": "b"}',
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": "500"},
    )
    assert response.status_code == 400
    assert response.json["errors"] == {
        "_body": ["The body ended after 27 of the 500 bytes that Content-Length announced."]
    }
