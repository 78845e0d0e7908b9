"""Real Chromium is the oracle for POST /replay: every flow of ``replay_oracle.yaml``, played.

Each row is a flow in POST /replay's request shape. ``tests/flow_oracle.py`` plays it in
Chromium on real-looking hosts (navigations typed or started from another site's page, form
POSTs, iframes, fetches with each credentials mode, redirects, ``document.cookie``), and the
test server records the ``Cookie`` header of every request; the jar is read through DevTools
after each chain of requests. Two profiles: ``chromium`` (third-party cookies allowed, a
persistent profile with ``cookie_controls_mode`` 0) and ``chromium-third-party-blocked`` (a
context of ``Browser.new_context()``, which blocks them, as Incognito does).

For every row the test asserts that Chromium sent what the row records, then that POST /replay,
given the steps as played (with their ports and times), predicts every Cookie header Chromium
sent and, after each chain, the jar Chromium had: names, values, domains, paths, flags,
session or persistent, expiry, priority and partition key (top-level site and ancestor chain
bit). A row with ``replay_disagrees`` names a known gap of POST /replay: its prediction test is
a strict xfail, so closing the gap fails it until the key is removed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from playwright.sync_api import Playwright

from tests.chromium_oracle import Observation, make_certificate
from tests.conftest import require
from tests.flow_oracle import FlowPlayer, Played, as_json, flow_server
from tests.test_browser import CHROMIUM
from tests.test_lint_chromium import chromium_jar, predicted_jar

TABLE = Path(__file__).with_name("replay_oracle.yaml")
ROWS = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
BROWSERS = ("chromium", "chromium-third-party-blocked")


@pytest.fixture(scope="module")
def play(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[dict], Played]]:
    """Plays a row in its profile, once: both profiles live for the module."""
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    folder = tmp_path_factory.mktemp("flows")
    certificate = make_certificate(folder)
    played: dict[str, Played] = {}
    with flow_server(certificate) as server:
        players = {
            "chromium": FlowPlayer(playwright, server, certificate, folder / "profile"),
            "chromium-third-party-blocked": FlowPlayer(playwright, server, certificate, None),
        }
        try:

            def play_row(row: dict) -> Played:
                if row["id"] not in played:
                    player = players[row.get("browser", "chromium")]
                    played[row["id"]] = player.play(row["steps"])
                return played[row["id"]]

            yield play_row
        finally:
            for player in players.values():
                player.close()


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_chromium_sends_what_the_row_records(row: dict, play: Callable[[dict], Played]):
    played = play(row)
    assert played.cookie_headers == row["sent"], as_json(played)


def test_the_table_covers_every_kind_method_site_and_profile():
    """The matrix rows: every kind, method and same-site or cross-site, in both profiles."""
    assert len(ROWS) >= 40
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    combinations = set()
    for row in ROWS:
        step = row["steps"][-1]
        initiator = step.get("initiator") or ""
        site = "cross" if "other.test" in initiator else "same"
        browser = row.get("browser", "chromium")
        assert browser in BROWSERS
        combinations.add((step.get("kind", "navigation"), step.get("method", "GET"), site, browser))
    for kind in ("navigation", "iframe", "subresource"):
        for method in ("GET", "POST"):
            for site in ("same", "cross"):
                assert (kind, method, site, "chromium") in combinations
            assert (kind, method, "cross", "chromium-third-party-blocked") in combinations


# A step's ``at`` is read just before Chromium plays it: seconds apart on a loaded machine, far
# less than the minutes an expiry computed from the wrong time would be off by.
EXPIRY_TOLERANCE_SECONDS = 30


def partitions(cookies: list[dict], key: str) -> list[tuple]:
    return sorted((cookie["name"], cookie["path"], cookie.get(key)) for cookie in cookies)


def known_disagreement(row: dict) -> pytest.MarkDecorator | tuple:
    """A row whose ``replay_disagrees`` names a known gap: expected to fail until it is closed."""
    reason = row.get("replay_disagrees")
    return pytest.mark.xfail(reason=reason, strict=True) if reason else ()


@pytest.mark.parametrize(
    "row", [pytest.param(row, id=row["id"], marks=known_disagreement(row)) for row in ROWS]
)
def test_replay_predicts_what_chromium_did(
    row: dict, play: Callable[[dict], Played], client: FlaskClient
):
    played = play(row)
    body = {"browser": row.get("browser", "chromium"), "steps": played.steps}
    response = client.post("/replay", json=body)

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    seen = f"Chromium:\n{as_json(played)}\n/replay:\n{json.dumps(answer, indent=1)}"
    assert [step["cookie_header"] for step in answer["steps"]] == played.cookie_headers, seen
    for predicted, jar in zip(answer["steps"], played.jars, strict=True):
        if jar is None:  # a redirect hop: the jar is read after the chain
            continue
        chromium = Observation(cookies=jar, blocked=[], cookie_header=None)
        assert predicted_jar({"cookies": predicted["jar"]}) == chromium_jar(chromium), seen
        predicted_keys = [
            {
                **cookie,
                "partition": (cookie["partition_key"], cookie["partition_cross_site_ancestor"])
                if cookie["partition_key"]
                else None,
            }
            for cookie in predicted["jar"]
        ]
        chromium_keys = [
            {
                **cookie,
                "partition": (
                    cookie["partitionKey"]["topLevelSite"],
                    cookie["partitionKey"]["hasCrossSiteAncestor"],
                )
                if "partitionKey" in cookie
                else None,
            }
            for cookie in jar
        ]
        assert partitions(predicted_keys, "partition") == partitions(chromium_keys, "partition"), (
            seen
        )
        stored = {(cookie["name"], cookie["path"]): cookie["expires"] for cookie in jar}
        for cookie in predicted["jar"]:
            if cookie["expiry"] is not None:
                expiry = datetime.fromisoformat(cookie["expiry"]).timestamp()
                chromium_expiry = stored[cookie["name"], cookie["path"]]
                assert abs(expiry - chromium_expiry) < EXPIRY_TOLERANCE_SECONDS, seen
