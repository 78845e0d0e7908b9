"""The differential fuzzer: seeded cookie cases through real Chromium and through POST /lint.

Each case (``tests/fuzz_cases.py``) is played in one headless Chromium, on the oracle's test
server (``tests/chromium_oracle.py``), with an emptied jar: a top-level navigation, a fetch from
another page, or ``document.cookie`` writes, then perhaps a later request. The same case goes to
POST /lint, and these must agree:
- the outcome of each header, stored or rejected;
- Chromium's reasons: for a header both reject, every ``EXCLUDE_*`` reason of Chromium's
  ``CookieInclusionStatus`` is among the ``chromium`` names of /lint's rejecting problems. They
  are read from the NetLog (``--log-net-log``, capture mode Everything), whose
  ``COOKIE_INCLUSION_STATUS`` events name every reason, where DevTools leaves some out;
- the jar (``Network.getAllCookies``): every attribute, the expiry to the second;
- the Cookie header the server receives at the later request, and, for each cookie Chromium
  did not send there, one of its reasons in /lint's ``not_sent`` (/lint names one per cookie).
``document.cookie`` writes make no NetLog event: for them the jar and what is sent next are
compared.

A difference that Chromium makes on purpose and /lint does not follow (a flag, a field trial) is
listed with its reason in ``fuzz_known_differences.yaml``; it is still reported, as known.
CI runs a fixed seed (``tests/test_lint_fuzz.py``); for thousands of cases::

    python -m tests.fuzz_chromium --cases 5000 --seed 7
    python -m tests.fuzz_chromium --seed 7 --first 1234 --cases 1 --verbose  # one case again
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Playwright, sync_playwright

from api import create_app
from tests.browser_oracle import (
    Disagreement,
    KnownDifference,
    _dotted,
    _jar_difference,
    _lint_cookie,
    known_differences_file,
    lint_body,
)
from tests.browser_oracle import known_differences as read_known_differences
from tests.chromium_oracle import (
    FETCH,
    Certificate,
    OracleServer,
    launch_oracle_chromium,
    make_certificate,
    netlog_cookie_statuses,
    oracle_server,
)
from tests.fuzz_cases import Case, generate_cases

KNOWN_DIFFERENCES = known_differences_file("chromium")
# One browser, and one NetLog, per this many cases: the log of a long run stays small to read.
CASES_PER_BROWSER = 500
_NAVIGATION_TIMEOUT_MS = 15_000
_CANONICAL_PATHS = "urls => urls.map((url) => new URL(url).pathname)"
_WRITE_COOKIE = "header => { document.cookie = header; }"


@dataclass
class Seen:
    """What Chromium did in one case."""

    case: Case
    body: dict  # the POST /lint body of the same case
    cookies: list[dict] = field(default_factory=list)  # Network.getAllCookies
    cookie_header: str | None = None  # received at the later request
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (operation, status)
    sent: dict[CookieKey, str] = field(default_factory=dict)  # at the later request
    refused: bool = False  # the response was refused whole: no header of it was read
    error: str | None = None


# What can disagree; the last three say that a case could not be compared in full.
ASPECTS = (
    "outcome", "reasons", "jar", "cookie_header", "send_reasons", "statuses", "lint_status",
    "chromium_error",
)  # fmt: skip


class FuzzDriver:
    """One Chromium playing cases one after another, its jar emptied before each."""

    def __init__(
        self, playwright: Playwright, server: OracleServer, certificate: Certificate, folder: Path
    ) -> None:
        self.server = server
        self.netlog = folder / "netlog.json"
        self.context = launch_oracle_chromium(
            playwright,
            folder,
            certificate,
            f"--log-net-log={self.netlog}",
            "--net-log-capture-mode=Everything",
        )
        self.context.set_default_timeout(_NAVIGATION_TIMEOUT_MS)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.session = self.context.new_cdp_session(self.page)

    def play(self, case: Case) -> Seen:
        now = datetime.now(UTC).replace(microsecond=0)
        seen = Seen(case, lint_body(self.server, case, now))
        try:
            self._play(seen)
        except PlaywrightError as error:
            seen.error = str(error).splitlines()[0]
        return seen

    def _play(self, seen: Seen) -> None:
        case, body, page, server = seen.case, seen.body, self.page, self.server
        url, then_url = body["url"], body.get("then_url")
        top_url = body.get("site_for_cookies")
        # The server sees the path as Chromium's URL parser made it.
        path, then_path, top_path = page.evaluate(
            _CANONICAL_PATHS, [url, then_url or url, top_url or url]
        )
        self.session.send("Network.clearBrowserCookies")
        if case.mode == "script":
            server.serve(path, [])
            page.goto(url)
            for header in case.set_cookie:
                page.evaluate(_WRITE_COOKIE, header)
            # The writes reach the network service without waiting; reading document.cookie
            # goes the same way after them, so the jar holds every write before going on.
            page.evaluate("document.cookie")
        elif case.mode == "fetch":
            server.serve(top_path, [])
            server.serve(path, list(case.set_cookie))
            page.goto(top_url)
            page.evaluate(FETCH, url)
        else:
            server.serve(path, list(case.set_cookie))
            try:
                page.goto(url)
            except PlaywrightError as error:
                # A NUL in a header: Chromium refuses the response, and every cookie of it.
                if "ERR_INVALID_HTTP_RESPONSE" not in str(error):
                    raise
                seen.refused = True
                page.wait_for_url("chrome-error://**")  # its error page, before going on
        if then_url is not None:
            server.serve(then_path, [])
            if case.mode == "fetch":
                page.evaluate(FETCH, then_url)
            else:
                page.goto(then_url)
            seen.cookie_header = server.cookie_received(then_path) or ""
        seen.cookies = self.session.send("Network.getAllCookies")["cookies"]

    def close(self) -> None:
        self.context.close()


# A cookie at a request, as the NetLog names it: name, domain (with a dot unless host-only),
# path, and whether it is partitioned (a partitioned cookie is another cookie).
CookieKey = tuple[str, str, str, bool]


@dataclass
class NetLogStatuses:
    """The COOKIE_INCLUSION_STATUS events of a run, by case number."""

    stored: dict[int, list[tuple[str, str]]]  # each header of the response: operation, status
    sent: dict[int, dict[CookieKey, str]]  # each cookie looked at for the later request


def read_statuses(netlog: Path) -> NetLogStatuses:
    """What Chromium decided for each case's response headers and at its later request.

    The response's URL has the query ``c=N``, the later request's ``t=N``.
    """
    statuses = NetLogStatuses({}, {})
    for url, events in netlog_cookie_statuses(netlog).items():
        query = parse_qs(urlsplit(url).query)
        if "c" in query:
            statuses.stored[int(query["c"][0])] = [
                (params["operation"], params["status"])
                for params in events
                if params["operation"] in ("store", "expire")
            ]
        elif "t" in query:
            statuses.sent[int(query["t"][0])] = {
                _netlog_key(params): params["status"]
                for params in events
                if params["operation"] == "send"
            }
    return statuses


def _netlog_key(params: dict) -> CookieKey:
    name = params.get("name", "")  # a nameless cookie's event has no name
    return name, params["domain"], params["path"], params["partition_key"] != "(none)"


def _lint_key(cookie: dict) -> CookieKey:
    return cookie["name"], _dotted(cookie), cookie["path"], cookie["partitioned"]


def _chromium_outcome(operation: str, status: str) -> str:
    """A header Chromium stored, or rejected; an expired one ("expire") only deletes."""
    return "stored" if operation == "store" and "INCLUDE" in status.split(", ") else "rejected"


def _exclusions(status: str) -> set[str]:
    return {part for part in status.split(", ") if part.startswith("EXCLUDE_")}


def _chromium_cookie(cookie: dict) -> dict:
    return {
        "name": cookie["name"],
        "value": cookie["value"],
        "domain": cookie["domain"],
        "path": cookie["path"],
        "secure": cookie["secure"],
        "httponly": cookie["httpOnly"],
        "samesite": cookie.get("sameSite"),
        "partitioned": "partitionKey" in cookie,
        "priority": cookie["priority"],
        "expiry": None if cookie["session"] else round(cookie["expires"]),
    }


def compare(seen: Seen, status: int, report: dict) -> list[tuple[str, str]]:
    """Where /lint's answer and what Chromium did differ: (aspect, detail) pairs."""
    if seen.error is not None:
        return [("chromium_error", seen.error)]
    if status != 200:
        return [("lint_status", f"/lint answered {status}: {json.dumps(report)[:400]}")]
    found = []
    results = report["results"]
    if seen.refused:
        stored = [result["set_cookie"] for result in results if result["outcome"] == "stored"]
        if stored:
            found.append(("outcome", f"Chromium refused the response, /lint stored {stored}"))
    elif seen.case.mode != "script":
        if len(seen.statuses) != len(results):
            # Which status is which header's is not known: nothing more can be compared here.
            found.append(
                ("statuses", f"{len(seen.statuses)} NetLog statuses for {len(results)} headers")
            )
        pairs = zip(seen.statuses, results, strict=True) if not found else ()
        for index, ((operation, chromium), result) in enumerate(pairs):
            outcome = _chromium_outcome(operation, chromium)
            header = repr(result["set_cookie"])
            if outcome != result["outcome"]:
                found.append(
                    (
                        "outcome",
                        f"header {index} {header}: Chromium {operation} {chromium!r}, /lint "
                        f"{result['outcome']} {[p['code'] for p in result['problems']]}",
                    )
                )
                continue
            named = {p["chromium"] for p in result["problems"] if p["severity"] == "rejected"}
            missing = _exclusions(chromium) - named
            if missing:
                found.append(
                    (
                        "reasons",
                        f"header {index} {header}: Chromium {chromium!r}, /lint names "
                        f"{sorted(filter(None, named))}; missing {sorted(missing)}",
                    )
                )
    jar = _jar_difference(
        list(map(_chromium_cookie, seen.cookies)), list(map(_lint_cookie, report["cookies"]))
    )
    if jar:
        found.append(("jar", jar))
    found += _send_reasons(seen, report)
    if seen.cookie_header is not None and seen.cookie_header != report.get("cookie_header"):
        found.append(
            (
                "cookie_header",
                f"Chromium sent {seen.cookie_header!r}, /lint {report.get('cookie_header')!r}",
            )
        )
    return found


def _send_reasons(seen: Seen, report: dict) -> list[tuple[str, str]]:
    """Each cookie Chromium did not send to the later request: /lint says so, for a reason
    Chromium gives (it names one reason per cookie, Chromium all)."""
    given = {_lint_key(item["cookie"]): item["problem"] for item in report.get("not_sent", [])}
    found = []
    for key, status in seen.sent.items():
        excluded = _exclusions(status)
        problem = given.get(key)
        if excluded and (problem is None or problem["chromium"] not in excluded):
            said = "no reason" if problem is None else f"{problem['code']} {problem['chromium']}"
            found.append(("send_reasons", f"{key}: Chromium {status!r}, /lint gives {said}"))
    return found


def known_differences() -> list[KnownDifference]:
    return read_known_differences(KNOWN_DIFFERENCES)


@dataclass
class RunResult:
    seen: list[Seen]
    disagreements: list[Disagreement]
    outcomes: Counter  # Chromium's outcome of each header of the navigations and fetches
    reasons: Counter  # EXCLUDE_* reasons Chromium gave

    @property
    def unexplained(self) -> list[Disagreement]:
        return [item for item in self.disagreements if item.known is None]

    def summary(self) -> str:
        cases = len(self.seen)
        failing = {item.case.number for item in self.unexplained}
        aspects = Counter(item.aspect for item in self.disagreements if item.known is None)
        known = sum(1 for item in self.disagreements if item.known is not None)
        return (
            f"{cases} cases, {cases - len(failing)} agree on everything; "
            f"Chromium stored {self.outcomes['stored']} and rejected {self.outcomes['rejected']} "
            f"headers, for {len(self.reasons)} distinct reasons; disagreements by aspect: "
            f"{dict(aspects) or 'none'}; known differences: {known}"
        )


def run_cases(
    playwright: Playwright, client: FlaskClient, cases: list[Case], folder: Path
) -> RunResult:
    """Play ``cases`` in Chromium, ask /lint about each, and compare."""
    certificate = make_certificate(folder)
    listed = known_differences()
    result = RunResult([], [], Counter(), Counter())
    with oracle_server(certificate) as server:
        for start in range(0, len(cases), CASES_PER_BROWSER):
            chunk = folder / f"chromium-{start}"
            chunk.mkdir()
            driver = FuzzDriver(playwright, server, certificate, chunk)
            try:
                seen = [driver.play(case) for case in cases[start : start + CASES_PER_BROWSER]]
            finally:
                driver.close()  # the NetLog is complete once the browser is closed
            statuses = read_statuses(driver.netlog)
            driver.netlog.unlink()  # about ten megabytes per hundred cases
            for item in seen:
                item.statuses = statuses.stored.get(item.case.number, [])
                item.sent = statuses.sent.get(item.case.number, {})
                _judge(item, client, listed, result)
    return result


def _judge(seen: Seen, client: FlaskClient, listed: list[KnownDifference], result: RunResult):
    result.seen.append(seen)
    for operation, status in seen.statuses:
        result.outcomes[_chromium_outcome(operation, status)] += 1
        result.reasons.update(_exclusions(status))
    response = client.post("/lint", json=seen.body)
    for aspect, detail in compare(seen, response.status_code, response.get_json()):
        known = next((k.reason for k in listed if k.matches(seen.case, aspect, detail)), None)
        result.disagreements.append(Disagreement(seen.case, aspect, detail, seen.body, known))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000, help="how many cases (1000)")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed (7)")
    parser.add_argument("--first", type=int, default=0, help="the number of the first case (0)")
    parser.add_argument("--verbose", action="store_true", help="print every disagreement")
    options = parser.parse_args(argv)
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(32)})
    client = app.test_client(use_cookies=False)
    cases = generate_cases(options.seed, options.cases, options.first)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        result = run_cases(playwright, client, cases, Path(folder))
    shown = result.disagreements if options.verbose else result.unexplained
    for item in shown:
        print(item.describe())
    print(result.summary())
    return 1 if result.unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
