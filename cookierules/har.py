"""A HAR 1.2 file (DevTools "Save all as HAR", Playwright's ``record_har_path``) as a flow.

Each entry becomes one step, in the file's order: its URL and method; its kind from the
``Sec-Fetch-Dest`` request header (or Chrome's ``_resourceType``); its page from the entry's
``pageref`` (the last navigation of that page); its initiator from ``Sec-Fetch-Site: none``
(typed), ``Origin`` or ``Referer``; its time from ``startedDateTime``; the Set-Cookie, Location
and status of its response; and the Cookie header the browser sent, to compare.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cookierules.flow import (
    MAX_STEPS,
    FlowReport,
    Response,
    Step,
    flow_finding,
    normalize_method,
    replay_recorded,
)

_KINDS = {"document": "navigation", "iframe": "iframe", "frame": "iframe"}
# Chrome DevTools writes the set-cookie lines of one response as one value joined with "\n".
_DEVTOOLS_JOIN = "\n"
_MAX_ENTRY_MS = 24 * 3600 * 1000  # a day: longer is no recording
_PHASES_BEFORE_BODY = ("blocked", "dns", "connect", "send", "wait")


class InvalidHar(ValueError):
    """Not a HAR 1.2 log this engine can replay; the message says what is wrong."""


def _headers(message: dict[str, Any], where: str) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    items = message.get("headers", [])
    if not isinstance(items, list):
        raise InvalidHar(f"{where}.headers is not a list.")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InvalidHar(f"{where}.headers holds an item without a name.")
        value = item.get("value", "")
        if not isinstance(value, str):
            raise InvalidHar(f"{where}.headers: the value of {item['name']} is not a string.")
        headers.setdefault(item["name"].lower(), []).append(value)
    return headers


def _origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "null"  # no URL: an opaque origin
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _initiator(url: str, request: dict[str, list[str]]) -> str | None:
    fetch_site = (request.get("sec-fetch-site") or [None])[0]
    if fetch_site == "none":
        return None  # typed into the address bar, a bookmark
    if request.get("origin"):
        return request["origin"][0]
    if request.get("referer"):
        return _origin(request["referer"][0])
    # No Origin nor Referer (Referrer-Policy: no-referrer): Sec-Fetch-Site still tells.
    if fetch_site == "cross-site":
        return "null"
    if fetch_site in ("same-site", "same-origin"):
        return _origin(url)
    return None


def _answered_at(entry: dict[str, Any], at: datetime | None) -> datetime | None:
    """When the response's headers came in: the start plus the phases before the body
    (HAR 1.2 ``timings``, in ms, -1 for none; ``connect`` includes ``ssl``, which ``time``
    counts again in Playwright's HAR)."""
    timings = entry.get("timings")
    if at is None or not isinstance(timings, dict):
        return None
    spent = 0.0
    for phase in _PHASES_BEFORE_BODY:
        value = timings.get(phase, 0)
        if not isinstance(value, bool) and isinstance(value, int | float) and value > 0:
            spent += value
    if spent > _MAX_ENTRY_MS:
        return None
    return at + timedelta(milliseconds=spent)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidHar(f"{where} is not an object.")
    return value


def har_steps(har: Any) -> tuple[list[Step], bool]:
    """The steps of a HAR log, and whether it has no cookie header at all (sanitised)."""
    log = _object(_object(har, "har").get("log"), "har.log")
    entries = log.get("entries")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_STEPS:
        raise InvalidHar(f"har.log.entries must be a list of 1 to {MAX_STEPS} entries.")
    pages: dict[str, str] = {}
    steps = []
    any_cookie = False
    for number, entry in enumerate(entries):
        where = f"har.log.entries[{number}]"
        entry = _object(entry, where)
        request = _object(entry.get("request"), f"{where}.request")
        response = _object(entry.get("response"), f"{where}.response")
        url, method = request.get("url"), request.get("method")
        if not isinstance(url, str) or not isinstance(method, str):
            raise InvalidHar(f"{where}.request needs a url and a method.")
        sent = _headers(request, f"{where}.request")
        received = _headers(response, f"{where}.response")
        dest = (sent.get("sec-fetch-dest") or [None])[0]
        resource = entry.get("_resourceType")
        kind = _KINDS.get(dest or (resource if resource == "document" else ""), "subresource")
        page = entry.get("pageref") if isinstance(entry.get("pageref"), str) else None
        if kind == "navigation":
            pages[page] = url
        status = response.get("status")
        if isinstance(status, bool) or not isinstance(status, int):
            raise InvalidHar(f"{where}.response.status is not a number.")
        set_cookie = tuple(
            line for value in received.get("set-cookie", []) for line in value.split(_DEVTOOLS_JOIN)
        )
        location = (received.get("location") or [response.get("redirectURL") or None])[0]
        cookie = "; ".join(sent["cookie"]) if sent.get("cookie") else None
        any_cookie = any_cookie or bool(cookie or set_cookie)
        preflight = resource == "preflight" or (
            method.upper() == "OPTIONS" and "access-control-request-method" in sent
        )
        at = None
        if isinstance(entry.get("startedDateTime"), str):
            try:
                at = datetime.fromisoformat(entry["startedDateTime"])
            except ValueError:
                raise InvalidHar(f"{where}.startedDateTime is not an ISO 8601 date.") from None
            if at.tzinfo is None:
                raise InvalidHar(f"{where}.startedDateTime has no offset.")
        steps.append(
            Step(
                url=url,
                method=normalize_method(method),
                kind=kind,
                top_level_url=pages.get(page, url),
                initiator=_initiator(url, sent),
                # Fetch §4.8: a CORS preflight never carries cookies.
                credentials="omit" if preflight else "include",
                at=at,
                response=Response(status, set_cookie, location),
                recorded=True,
                recorded_cookie_header=cookie,
                answered_at=_answered_at(entry, at),
            )
        )
    return steps, not any_cookie


def replay_har(har: Any, *, now: datetime, browser: str = "chromium") -> FlowReport:
    """Replay a HAR log, one step per entry in its order. Raises ``InvalidHar``."""
    steps, sanitised = har_steps(har)
    report = replay_recorded(steps, now=now, browser=browser)
    if sanitised:
        report.findings.insert(
            0,
            flow_finding(
                "har_sanitised",
                "This HAR holds no Cookie and no Set-Cookie header. Chrome 130 and later leave "
                "them out when exporting: in DevTools' Network panel, open the settings (the "
                'gear), tick "Allow to generate HAR with sensitive data", then use "Export HAR '
                "(with sensitive data)\". Playwright's record_har_path keeps them.",
                0,
            ),
        )
    return report
