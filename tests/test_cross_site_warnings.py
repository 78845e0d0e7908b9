"""The warnings of POST /cookies for a request from another site: why the browser drops the cookie.

tests/test_browser.py shows in Chromium that each warned cookie is indeed not stored.
"""

from __future__ import annotations

import pytest

APP = "http://app.example"
LAX_REFUSED = "browsers store a SameSite=Lax cookie only from same-site requests"
THIRD_PARTY_BLOCKED = "browsers that block third-party cookies drop an unpartitioned cookie"


@pytest.mark.parametrize(
    ("origin", "attributes", "expected"),
    [
        (None, {"samesite": "None", "secure": True}, []),
        ("http://localhost:3000", {}, []),
        ("http://localhost:3000", {"samesite": "None", "secure": True}, []),
        (APP, {}, [LAX_REFUSED]),
        (APP, {"samesite": "None", "secure": True}, [THIRD_PARTY_BLOCKED]),
        (APP, {"samesite": "None", "secure": True, "partitioned": True}, []),
    ],
    ids=[
        "no-origin",
        "same-site-lax",
        "same-site-none",
        "cross-site-lax",
        "cross-site-none-unpartitioned",
        "cross-site-none-partitioned",
    ],
)
def test_cross_site_request_warns_of_what_the_browser_drops(client, origin, attributes, expected):
    headers = {"Origin": origin} if origin else {}

    response = client.post(
        "/cookies", json={"name": "widget", "value": "1", **attributes}, headers=headers
    )

    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert len(warnings) == len(expected), warnings
    for warning, phrase in zip(warnings, expected, strict=True):
        assert phrase in warning
        assert f"({origin})" in warning
