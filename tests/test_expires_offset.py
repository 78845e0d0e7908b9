"""POST /cookies with an ``expires`` that carries an offset other than UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.mark.parametrize("offset", ["+02:00", "-05:30", "+00:00", "Z"])
def test_expires_with_any_offset_is_sent_as_the_same_instant_in_gmt(client, offset):
    instant = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    hours, minutes = (0, 0) if offset == "Z" else (int(offset[1:3]), int(offset[4:6]))
    shift = timedelta(hours=hours, minutes=minutes) * (-1 if offset.startswith("-") else 1)
    local = (instant + shift).replace(tzinfo=None).isoformat() + offset

    response = client.post("/cookies", json={"name": "theme", "value": "dark", "expires": local})

    assert response.status_code == 201
    gmt = instant.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert f"Expires={gmt}" in response.headers["Set-Cookie"]
    assert response.json["set_cookie"] == response.headers["Set-Cookie"]
