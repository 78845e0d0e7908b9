"""What a real browser did with a cookie case, compared with POST /lint: the harness every
browser oracle shares.

A driver (``tests/firefox_oracle.py``, ``tests/webkit_oracle.py``) plays a ``tests.fuzz_cases.Case``
in a fresh jar on the oracle's test server (``tests/chromium_oracle.py``) and returns a
``Played``: the jar, and the Cookie header the server received at the later request. The same
case goes to POST /lint, with ``"browser"`` naming the engine, and these must agree:
- the outcome, read from the jars: a cookie only one of them holds (aspect ``outcome``);
- the jar: every attribute of a cookie both hold, the expiry to the second (``jar``); a field the
  engine cannot show (``None`` in ``Played.cookies`` for a field of ``Played.unknown``: samesite,
  partitioned or priority) is not compared;
- the Cookie header received at the later request (``cookie_header``).
No engine but Chromium says why it refused a cookie, so reasons are not compared here
(``tests/fuzz_chromium.py`` compares Chromium's).

The conformance table (``tests/lint_conformance.yaml``) is played as cases too
(``conformance_cases``). A difference an engine makes and /lint does not follow is listed with
its reason in ``fuzz_known_differences_<browser>.yaml``, in the format of the Chromium one.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import yaml
from flask.testing import FlaskClient

from tests.chromium_oracle import OracleServer
from tests.fuzz_cases import Case, Place

log = logging.getLogger(__name__)

# A Max-Age expiry is counted from the moment the browser stores the cookie, a little after the
# moment /lint is given: "to the second" allows that much.
EXPIRY_TOLERANCE_SECONDS = 2
# A character written 20 times or more, shortened in reports.
_RUN = re.compile(r"(.)\1{19,}")
# Fields of a cookie some engines cannot show: None in a Played cookie leaves them uncompared.
MAY_BE_UNKNOWN = ("samesite", "partitioned", "priority")
# What can disagree; the last two say that a case could not be compared at all.
ASPECTS = ("outcome", "jar", "cookie_header", "lint_status", "browser_error")
# Conformance rows are played as cases numbered from here, apart from the fuzzer's.
CONFORMANCE_NUMBERS = 100_000


@dataclass
class Played:
    """What a browser did in one case."""

    case: Case
    body: dict  # the POST /lint body of the same case (lint_body), with "browser"
    cookies: list[dict] = field(default_factory=list)  # the jar, in _lint_cookie's shape
    cookie_header: str | None = None  # received by the server at the later request
    error: str | None = None  # the engine failed to play the case
    # The fields where None means that the engine cannot tell, and that are then not compared;
    # an engine that shows an unspecified SameSite as such leaves "samesite" out.
    unknown: tuple[str, ...] = MAY_BE_UNKNOWN


@dataclass(frozen=True)
class Disagreement:
    case: Case
    aspect: str
    detail: str
    body: dict
    known: str | None = None  # the reason, when the difference is listed as known

    def describe(self) -> str:
        """The disagreement and its /lint body, long runs of a character written <N c>."""
        known = f" (known: {self.known})" if self.known else ""
        text = (
            f"case {self.case.number} {self.aspect}{known}: {self.detail}\n"
            f"  POST /lint {json.dumps(self.body, ensure_ascii=True)}"
        )
        return _RUN.sub(lambda match: f"<{len(match[0])} {match[1]}>", text)


def _url(server: OracleServer, place: Place, query: str = "") -> str:
    return server.url(place.scheme, place.host, place.path) + query


def lint_body(server: OracleServer, case: Case, now: datetime) -> dict:
    """The POST /lint body of ``case``; a query names the case, so a log can tell it."""
    body: dict = {
        "url": _url(server, case.response, f"?c={case.number}"),
        "set_cookie": list(case.set_cookie),
        "now": timestamp(now),
        "from_script": case.mode == "script",
    }
    if case.top is not None:
        body["site_for_cookies"] = _url(server, case.top)
    if case.then is not None:
        body["then_url"] = _url(server, case.then, f"?t={case.number}")
    return body


def _dotted(cookie: dict) -> str:
    """The domain as Chromium writes it: with a leading dot unless the cookie is host-only."""
    return cookie["domain"] if cookie["host_only"] else f".{cookie['domain']}"


def _lint_cookie(cookie: dict) -> dict:
    """A cookie of /lint's jar in the shape the browsers' jars are compared in."""
    expiry = cookie["expiry"]
    return {
        "name": cookie["name"],
        "value": cookie["value"],
        "domain": _dotted(cookie),
        "path": cookie["path"],
        "secure": cookie["secure"],
        "httponly": cookie["httponly"],
        "samesite": cookie["samesite"],
        "partitioned": cookie["partitioned"],
        "priority": cookie["priority"],
        "expiry": None if expiry is None else round(datetime.fromisoformat(expiry).timestamp()),
    }


def _shown(browser: dict, unknown: tuple[str, ...]) -> set[str]:
    """The fields of a browser's cookie that are compared."""
    return {key for key, value in browser.items() if value is not None or key not in unknown}


def _same_cookie(browser: dict, lint: dict, unknown: tuple[str, ...] = ()) -> bool:
    if (browser["expiry"] is None) != (lint["expiry"] is None):
        return False
    if browser["expiry"] is not None and (
        abs(browser["expiry"] - lint["expiry"]) > EXPIRY_TOLERANCE_SECONDS
    ):
        return False
    return all(browser[k] == lint[k] for k in _shown(browser, unknown) if k != "expiry")


def _pair_jars(
    browser: list[dict], lint: list[dict], unknown: tuple[str, ...]
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Each browser cookie with /lint's cookie of the same name, domain, path and partition
    (where the browser shows it), or else of the same name, domain and path; and the cookies
    only one jar holds."""
    pairs, only_browser, left = [], list(browser), list(lint)
    for keys in (("name", "domain", "path", "partitioned"), ("name", "domain", "path")):
        for cookie in list(only_browser):
            shown = [k for k in keys if k in _shown(cookie, unknown)]
            candidates = [c for c in left if all(c[k] == cookie[k] for k in shown)]
            # Two cookies of one key where the browser hides the partition: the same first.
            same = [c for c in candidates if _same_cookie(cookie, c, unknown)]
            other = next(iter(same or candidates), None)
            if other is not None:
                only_browser.remove(cookie)
                left.remove(other)
                pairs.append((cookie, other))
    return pairs, only_browser, left


def _jar_difference(
    browser: list[dict], lint: list[dict], engine: str = "Chromium", unknown: tuple[str, ...] = ()
) -> str:
    """The cookies only one jar has, and those both have with different attributes."""
    pairs, only_browser, only_lint = _pair_jars(browser, lint, unknown)
    differences = [f"only {engine} has {c}" for c in only_browser]
    differences += [f"only /lint has {c}" for c in only_lint]
    for cookie, other in pairs:
        if not _same_cookie(cookie, other, unknown):
            key = {k: cookie[k] for k in ("name", "domain", "path", "partitioned")}
            shown = _shown(cookie, unknown)
            fields = {k: (v, other[k]) for k, v in cookie.items() if k in shown and v != other[k]}
            differences.append(f"{key} {engine}, /lint: {fields}")
    return "; ".join(differences)


def _header_of(cookie: dict, case: Case, report: dict) -> str:
    """The header that made (or would have made) ``cookie``, as far as the name tells."""
    for result in reversed(report["results"]):
        kept = result.get("cookie")
        if kept is not None and kept["name"] == cookie["name"]:
            return result["set_cookie"]
    named = [h for h in case.set_cookie if h.strip(" \t").startswith(f"{cookie['name']}")]
    return (named or list(case.set_cookie))[-1]


def compare(played: Played, status: int, report: dict, engine: str) -> list[tuple[str, str]]:
    """Where /lint's answer and what ``engine`` did differ: (aspect, detail) pairs."""
    if played.error is not None:
        return [("browser_error", played.error)]
    if status != 200:
        return [("lint_status", f"/lint answered {status}: {json.dumps(report)[:400]}")]
    lint = [_lint_cookie(cookie) for cookie in report["cookies"]]
    pairs, only_browser, only_lint = _pair_jars(played.cookies, lint, played.unknown)
    found = []
    for cookie in only_browser:
        header = _header_of(cookie, played.case, report)
        found.append(("outcome", f"{engine} stored {cookie}, /lint did not; from {header!r}"))
    for cookie in only_lint:
        header = _header_of(cookie, played.case, report)
        found.append(("outcome", f"/lint stored {cookie}, {engine} did not; from {header!r}"))
    jar = _jar_difference(
        [cookie for cookie, _ in pairs], [other for _, other in pairs], engine, played.unknown
    )
    if jar:
        found.append(("jar", jar))
    expected = report.get("cookie_header")
    if played.cookie_header is not None and played.cookie_header != expected:
        found.append(
            ("cookie_header", f"{engine} sent {played.cookie_header!r}, /lint {expected!r}")
        )
    return found


@dataclass(frozen=True)
class KnownDifference:
    """A difference an engine makes that /lint does not follow, matched by aspect and by
    patterns of the case."""

    aspect: str
    reason: str
    source: str
    header: str | None = None  # a pattern searched in each Set-Cookie header
    detail: str | None = None  # a pattern searched in the disagreement's detail

    def matches(self, case: Case, aspect: str, detail: str) -> bool:
        if aspect != self.aspect:
            return False
        if self.header is not None and not any(
            re.search(self.header, header) for header in case.set_cookie
        ):
            return False
        return self.detail is None or re.search(self.detail, detail) is not None


def known_differences_file(browser: str) -> Path:
    """``fuzz_known_differences.yaml`` for Chromium, ``..._<browser>.yaml`` for another."""
    suffix = "" if browser == "chromium" else f"_{browser}"
    return Path(__file__).with_name(f"fuzz_known_differences{suffix}.yaml")


def known_differences(path: Path) -> list[KnownDifference]:
    if not path.exists():
        return []
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [KnownDifference(**row) for row in rows]


def conformance_cases() -> dict[str, Case]:
    """Each row of the conformance table, by id, as a case: its URL's host and path on the
    test server (the port is the server's), a fetch from ``site_for_cookies`` or writes by
    script, and ``then_url`` as the later request."""
    from tests.test_lint_conformance import CASES as ROWS  # the table, its sizes written out

    def place(url: str) -> Place:
        parts = urlsplit(url)
        host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
        return Place(parts.scheme, host, parts.path or "/")

    cases = {}
    for index, row in enumerate(ROWS):
        mode = "script" if row.from_script else "fetch" if row.site_for_cookies else "navigate"
        cases[row.id] = Case(
            number=CONFORMANCE_NUMBERS + index,
            response=place(row.url),
            set_cookie=tuple(row.set_cookie),
            mode=mode,
            # The page that fetches counts by its site alone: a path of its own on the server.
            top=replace(place(row.site_for_cookies), path="/top") if row.site_for_cookies else None,
            then=place(row.then_url) if row.then_url else None,
        )
    return cases


class DriverHung(Exception):
    """The browser's driver stopped answering while it played a case."""


class Driver(Protocol):
    """A browser that plays cases: ``tests/firefox_oracle.py``, ``tests/webkit_oracle.py``."""

    name: str  # the "browser" of POST /lint: "firefox", "webkitgtk"
    engine: str  # for reports: "Firefox"
    version: str  # the engine's version, as it reports it

    def play(self, case: Case) -> Played:
        """Play ``case`` in a fresh jar; raises DriverHung when the browser stops answering."""
        ...

    def restart(self) -> None:
        """A new browser process, the hung one ended."""
        ...


@dataclass
class RunResult:
    played: list[Played]
    disagreements: list[Disagreement]
    retried: list[int] = field(default_factory=list)  # cases played again after a hang

    @property
    def unexplained(self) -> list[Disagreement]:
        return [item for item in self.disagreements if item.known is None]

    @property
    def agreement(self) -> float:
        """The share of cases where /lint and the browser agree on everything."""
        differing = {item.case.number for item in self.disagreements}
        return 1 - len(differing) / len(self.played) if self.played else 1.0

    def summary(self, engine: str) -> str:
        cases = len(self.played)
        differing = {item.case.number for item in self.disagreements}
        aspects = Counter(item.aspect for item in self.unexplained)
        known = sum(1 for item in self.disagreements if item.known is not None)
        return (
            f"{cases} cases, {cases - len(differing)} agree with {engine} on everything "
            f"({self.agreement:.1%}); unexplained disagreements by aspect: "
            f"{dict(aspects) or 'none'}; known differences: {known}; "
            f"retried after a hang: {self.retried or 'none'}"
        )


def play_once_more_if_hung(driver: Driver, case: Case, retried: list[int]) -> Played:
    """The case played; if the driver hangs, the browser restarted and the case played once
    more (logged), then a second hang is the case's error."""
    try:
        return driver.play(case)
    except DriverHung as hang:
        log.warning(
            "%s hung on case %d (%s): restarted, played again", driver.engine, case.number, hang
        )
        retried.append(case.number)
        driver.restart()
    try:
        return driver.play(case)
    except DriverHung as hang:
        driver.restart()
        return Played(case, {}, error=f"{driver.engine} hung twice: {hang}")


def judge(
    played: Played,
    client: FlaskClient,
    engine: str,
    rules: str | None,
    listed: list[KnownDifference],
) -> list[Disagreement]:
    """The disagreements of one played case with /lint asked for ``rules`` (a ``browser``
    value; None asks without one: Chromium's rules)."""
    body = {key: value for key, value in played.body.items() if key != "browser"}
    if rules is not None:
        body["browser"] = rules
    response = client.post("/lint", json=body)
    found = []
    for aspect, detail in compare(played, response.status_code, response.get_json(), engine):
        known = next((k.reason for k in listed if k.matches(played.case, aspect, detail)), None)
        found.append(Disagreement(played.case, aspect, detail, body, known))
    return found


def run(
    driver: Driver,
    client: FlaskClient,
    cases: list[Case],
    browser: str | None,
    listed: list[KnownDifference] | None = None,
) -> RunResult:
    """Play ``cases`` in ``driver``'s browser, ask /lint about each with ``"browser":
    browser`` (None: without the field), and compare; ``listed`` defaults to the known
    differences of ``browser``."""
    if listed is None:
        listed = known_differences(known_differences_file(browser)) if browser else []
    result = RunResult([], [])
    for case in cases:
        played = play_once_more_if_hung(driver, case, result.retried)
        result.played.append(played)
        result.disagreements += judge(played, client, driver.engine, browser, listed)
    return result


def now() -> datetime:
    """The moment a case is played, to the second: /lint is told the same."""
    return datetime.now(UTC).replace(microsecond=0)


def timestamp(moment: datetime) -> str:
    """``moment`` as POST /lint's ``now``."""
    return moment.isoformat().replace("+00:00", "Z")
