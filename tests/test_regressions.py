"""Bugs the hardening suites found, each pinned by the smallest request that showed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from api import create_app


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
