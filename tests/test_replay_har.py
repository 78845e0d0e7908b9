"""HAR files recorded from real Chromium, replayed: POST /replay predicts every Cookie header sent.

Each flow is played by ``tests/flow_oracle.py`` in a Chromium context that Playwright records
(``record_har_path``): a login (a form POST answered by a redirect that sets the session), an
OAuth ``form_post`` callback (a cross-site POST navigation), an API fetch from a cross-site
iframe, fetches with and without credentials, and a cookie written by a script. The HAR is
sent to POST /replay as Playwright wrote it; for every entry the predicted Cookie header must
equal the one Chromium recorded (``matches``). ``KNOWN_GAPS`` names the flows it does not yet
replay: their test is a strict xfail.

Playwright's HAR has each request's ``Cookie`` header and ``cookies``, each response's
``Set-Cookie`` headers and ``redirectURL``, and ``_resourceType``; it has no CORS preflights
(checked below) and no ``_initiator``: a request's context is in its ``Sec-Fetch-*``, ``Origin``
and ``Referer`` headers. The HAR also holds the launcher pages the driver starts from.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import Playwright

from tests.chromium_oracle import make_certificate
from tests.conftest import require
from tests.flow_oracle import FlowPlayer, Played, flow_server
from tests.test_browser import CHROMIUM

LOGIN = [
    {
        "url": "https://app.example.test/login",
        "response": {"set_cookie": ["csrf=c1; Path=/; Secure; HttpOnly; SameSite=Strict"]},
    },
    {
        "url": "https://app.example.test/session",
        "method": "POST",
        "initiator": "https://app.example.test",
        "response": {
            "status": 303,
            "set_cookie": ["sid=s1; Path=/; Secure; HttpOnly; SameSite=Lax"],
            "location": "https://app.example.test/home",
        },
    },
    {"url": "https://app.example.test/home"},
    {
        "url": "https://app.example.test/api/me",
        "kind": "subresource",
        "top_level_url": "https://app.example.test/home",
        "initiator": "https://app.example.test",
        "method": "POST",
    },
]
FORM_POST_CALLBACK = [
    {
        "url": "https://app.example.test/",
        "response": {
            "set_cookie": [
                "state_lax=x1; Path=/; Secure; HttpOnly; SameSite=Lax",
                "state_none=x2; Path=/; Secure; HttpOnly; SameSite=None",
                "nonce=n1; Path=/; Secure; HttpOnly",
            ]
        },
    },
    {
        "url": "https://idp.other.test/authorize",
        "initiator": "https://app.example.test",
        "response": {"set_cookie": ["idp=1; Path=/; Secure; SameSite=Lax"]},
    },
    {
        "url": "https://app.example.test/callback",
        "method": "POST",
        "initiator": "https://idp.other.test",
        "response": {
            "status": 302,
            "set_cookie": ["sid=s1; Path=/; Secure; HttpOnly; SameSite=Lax"],
            "location": "https://app.example.test/home",
        },
    },
    {"url": "https://app.example.test/home"},
]
IFRAME_API_FETCH = [
    {
        "url": "https://app.example.test/widget",
        "kind": "iframe",
        "top_level_url": "https://www.other.test/",
        "response": {
            "set_cookie": [
                "w=1; Path=/; Secure; SameSite=None; Partitioned",
                "d=1; Path=/; Domain=example.test; Secure; SameSite=None",
            ]
        },
    },
    {
        "url": "https://api.example.test/data",
        "method": "POST",
        "kind": "subresource",
        "top_level_url": "https://www.other.test/",
        "initiator": "https://app.example.test",
        "response": {
            "set_cookie": ["api=1; Path=/; Domain=example.test; Secure; SameSite=None; Partitioned"]
        },
    },
    {
        "url": "https://api.example.test/data",
        "kind": "subresource",
        "top_level_url": "https://www.other.test/",
        "initiator": "https://app.example.test",
    },
    {
        "url": "https://app.example.test/widget",
        "kind": "iframe",
        "top_level_url": "https://www.other.test/",
    },
]


@dataclass(frozen=True)
class Recording:
    played: Played
    har: dict
    preflights: int  # CORS preflights the server answered while the flow played


# A HAR does not say a fetch's credentials mode: only that it sent no cookie.
FETCH_WITHOUT_CREDENTIALS = [
    {
        "url": "https://app.example.test/",
        "response": {"set_cookie": ["d=1; Path=/; Domain=example.test; Secure; SameSite=Lax"]},
    },
    {
        "url": "https://api.example.test/public",
        "kind": "subresource",
        "top_level_url": "https://app.example.test/",
        "initiator": "https://app.example.test",
        "credentials": "same-origin",
        "response": {"set_cookie": ["api=1; Path=/; Secure; SameSite=Lax"]},
    },
    {
        "url": "https://api.example.test/me",
        "kind": "subresource",
        "top_level_url": "https://app.example.test/",
        "initiator": "https://app.example.test",
    },
]
# A HAR does not record document.cookie: the script's cookie shows only in later requests.
SCRIPT_COOKIE = [
    {
        "url": "https://app.example.test/",
        "response": {"set_cookie": ["sid=1; Path=/; Secure; HttpOnly; SameSite=Lax"]},
        "document_cookie": ["consent=yes; path=/; max-age=3600"],
    },
    {"url": "https://app.example.test/next", "initiator": "https://app.example.test"},
]
FLOWS = {
    "login": LOGIN,
    "script_cookie": SCRIPT_COOKIE,
    "form_post_callback": FORM_POST_CALLBACK,
    "iframe_api": IFRAME_API_FETCH,
    "fetch_without_credentials": FETCH_WITHOUT_CREDENTIALS,
}
BROWSERS = ("chromium", "chromium-third-party-blocked")


@pytest.fixture(scope="module")
def record(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str, str], Recording]]:
    """Plays a flow once per browser, in a fresh recorded profile: what was played, the HAR."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    folder = tmp_path_factory.mktemp("har")
    certificate = make_certificate(folder)
    recordings: dict[tuple[str, str], Recording] = {}
    with flow_server(certificate) as server:

        def record_flow(flow: str, browser: str) -> Recording:
            if (flow, browser) not in recordings:
                har = folder / f"{flow}-{browser}.har"
                profile = folder / f"{flow}-profile" if browser == "chromium" else None
                player = FlowPlayer(playwright, server, certificate, profile, har=har)
                server.state.preflights = 0
                try:
                    played = player.play(FLOWS[flow])
                finally:
                    player.close()
                har_json = json.loads(har.read_text(encoding="utf-8"))
                recordings[flow, browser] = Recording(played, har_json, server.state.preflights)
            return recordings[flow, browser]

        yield record_flow


def recorded_cookie(entry: dict) -> str | None:
    cookies = [h["value"] for h in entry["request"]["headers"] if h["name"].lower() == "cookie"]
    return "; ".join(cookies) or None


@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("flow", FLOWS)
def test_the_har_records_what_the_server_received(flow: str, browser: str, record):
    """The HAR is the truth the replay is checked against: it must match the server's log."""
    recording = record(flow, browser)
    played, har = recording.played, recording.har
    entries = [e for e in har["log"]["entries"] if "/__launch" not in e["request"]["url"]]
    assert [(e["request"]["method"], e["request"]["url"]) for e in entries] == [
        (step.get("method", "GET"), step["url"]) for step in played.steps
    ]
    assert [recorded_cookie(entry) for entry in entries] == played.cookie_headers
    # The JSON POST to another origin was preflighted; the HAR does not show it.
    assert recording.preflights == (1 if flow == "iframe_api" else 0)
    assert all(entry["request"]["method"] != "OPTIONS" for entry in har["log"]["entries"])
    if flow == "form_post_callback":  # the login loop: the Lax state is not sent back
        assert played.cookie_headers[2] == "state_none=x2; nonce=n1"


# Flows POST /replay does not yet replay as Chromium did: expected to fail until it does.
KNOWN_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize(
    "flow",
    [
        pytest.param(flow, marks=pytest.mark.xfail(reason=KNOWN_GAPS[flow], strict=True))
        if flow in KNOWN_GAPS
        else flow
        for flow in FLOWS
    ],
)
def test_replay_of_a_recorded_har_matches_every_entry(
    flow: str, browser: str, record, client: FlaskClient
):
    har = record(flow, browser).har
    response = client.post("/replay", json={"har": har, "browser": browser})

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    entries = har["log"]["entries"]
    assert [(step["method"], step["url"]) for step in answer["steps"]] == [
        (entry["request"]["method"], entry["request"]["url"]) for entry in entries
    ]
    for entry, step in zip(entries, answer["steps"], strict=True):
        seen = f"{json.dumps(step, indent=1)}\nrecorded: {recorded_cookie(entry)!r}"
        assert step["recorded_cookie_header"] == recorded_cookie(entry), seen
        assert step["cookie_header"] == step["recorded_cookie_header"], seen
        assert step["matches"] is True, seen
