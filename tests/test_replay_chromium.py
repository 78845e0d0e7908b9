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
session or persistent, expiry, priority and partition key.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Playwright

from tests.chromium_oracle import make_certificate
from tests.conftest import require
from tests.flow_oracle import FlowPlayer, Played, as_json, flow_server
from tests.test_browser import CHROMIUM

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
