"""The same Set-Cookie headers in every browser engine, side by side, with the differences in words.

Each engine's answer is ``lint_set_cookies`` with its ``Browser``; this module only compares them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from cookierules.browsers import BROWSERS, CHROMIUM
from cookierules.jar import StoredCookie
from cookierules.lint import HeaderResult, LintReport, NotSent, lint_set_cookies

# The fields of a stored cookie a difference names, as the answer names them.
_COMPARED = ("name", "value", "domain", "path", "expiry", "samesite", "partition_key")


@dataclass(frozen=True, slots=True)
class Difference:
    """Where the engines part: for one header (``set_cookie``), or for the Cookie header sent
    to then_url (``set_cookie`` None)."""

    set_cookie: str | None
    summary: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Chromium's answer, as without ``browser``, then each engine's, and how they differ."""

    results: list[HeaderResult]
    cookies: list[StoredCookie]
    cookie_header: str | None
    not_sent: list[NotSent]
    browsers: list[LintReport]
    differences: list[Difference]
    browser: str = "all"


def lint_in_every_browser(url: str, set_cookie: list[str], **options: object) -> Comparison:
    """``lint_set_cookies`` in each engine of ``BROWSERS``: the same arguments, compared."""
    reports = [
        replace(lint_set_cookies(url, set_cookie, browser=browser, **options), browser=name)
        for name, browser in BROWSERS.items()
    ]
    chromium = reports[0]
    return Comparison(
        chromium.results,
        chromium.cookies,
        chromium.cookie_header,
        chromium.not_sent,
        reports,
        _differences(reports),
    )


def _differences(reports: list[LintReport]) -> list[Difference]:
    differences = []
    for index, result in enumerate(reports[0].results):
        said = {report.browser: _what_is_done(report.results[index]) for report in reports}
        if len(set(said.values())) > 1:
            differences.append(Difference(result.set_cookie, _in_words(said)))
            continue
        cookies = {report.browser: report.results[index].cookie for report in reports}
        detail = _cookie_differences(cookies)
        if detail:
            differences.append(Difference(result.set_cookie, detail))
    headers = {report.browser: report.cookie_header for report in reports}
    if reports[0].cookie_header is not None and len(set(headers.values())) > 1:
        sent = {
            name: f'sends "{header}"' if header else "sends no cookie"
            for name, header in headers.items()
        }
        differences.append(Difference(None, _in_words(sent)))
    return differences


def _what_is_done(result: HeaderResult) -> str:
    if result.outcome == "rejected":
        return "drops it"
    if result.cookie is not None and result.cookie.partition_key is not None:
        return "stores it partitioned"
    return "stores it"


def _label(name: str | None) -> str:
    return BROWSERS[name].label if name in BROWSERS else CHROMIUM.label


def _in_words(said: dict[str | None, str]) -> str:
    """ "Firefox stores it partitioned; Chromium and WebKitGTK drop it.": engines that do the
    same thing named together, in the order of ``BROWSERS``."""
    groups: dict[str, list[str]] = {}
    for name, words in said.items():
        groups.setdefault(words, []).append(_label(name))
    parts = []
    for words, labels in groups.items():
        if len(labels) > 1:  # the plural verb: "drop it", "store it", "send ..."
            verb, _, rest = words.partition(" ")
            words = f"{verb.removesuffix('s')} {rest}"
        parts.append(f"{' and '.join(labels)} {words}")
    return "; ".join(parts) + "."


def _cookie_differences(cookies: dict[str | None, StoredCookie | None]) -> str | None:
    """How the stored cookies differ, field by field; None where they are the same."""
    parts = []
    for field in _COMPARED:
        values = {name: getattr(cookie, field, None) for name, cookie in cookies.items()}
        if len({repr(value) for value in values.values()}) > 1:
            said = {name: f"keeps {field} {_shown(value)}" for name, value in values.items()}
            parts.append(_in_words(said).removesuffix("."))
    return "; ".join(parts) + "." if parts else None


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return value.isoformat()
    return f'"{value}"'
