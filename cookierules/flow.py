"""Replaying a flow of requests through one browser profile's jar (POST /replay).

Each step is a request and its response. The request's context (``contexts``) decides which
cookies of the jar it carries (``retrieval`` for domain, path, Secure and expiry; SameSite,
CHIPS partitions, third-party blocking and credentials here) and which of the response's
Set-Cookie headers are stored (the same ``lint.receive`` as POST /lint). A 3xx response with a
Location makes the next step its redirect hop. Across the flow it notes what people get wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urljoin, urlsplit

from cookierules.browsers import BROWSERS, CHROMIUM
from cookierules.contexts import (
    CROSS_SITE,
    LAX_METHOD_UNSAFE,
    STRICT,
    Kind,
    RequestContext,
    host_site,
    request_context,
)
from cookierules.findings import Finding, finding
from cookierules.jar import CookieJar, StoredCookie
from cookierules.lint import HeaderResult, InvalidUrl, Location, check_url, receive_response
from cookierules.parse import parse_set_cookie
from cookierules.paths import default_path
from cookierules.retrieval import (
    Request,
    cookie_header,
    exclusion_for_host,
    for_host,
    in_send_order,
)
from cookierules.storage import SetContext

Profile = Literal["chromium", "chromium-third-party-blocked", "firefox", "webkitgtk"]
PROFILES: tuple[str, ...] = ("chromium", "chromium-third-party-blocked", "firefox", "webkitgtk")
KINDS: tuple[str, ...] = ("navigation", "iframe", "subresource")
CREDENTIALS: tuple[str, ...] = ("include", "same-origin", "omit")
MAX_STEPS = 100
MAX_SET_COOKIES = 50  # per response, and per step's document.cookie writes
MAX_FLOW_COOKIES = 1000  # Set-Cookie values and document.cookie writes in one flow
MAX_URL_BYTES = 8 * 1024
MAX_ANSWER_BYTES = 1024 * 1024
# Chromium's kLaxAllowUnsafeMaxAge (net/cookies/cookie_constants.h): a cookie without SameSite
# goes with a cross-site unsafe top-level request while it is younger than this.
LAX_ALLOW_UNSAFE_AGE = timedelta(minutes=2)
NGINX_HEADER_BUFFER = 8 * 1024  # large_client_header_buffers 4 8k: one header line
NODE_HEADER_LIMIT = 16 * 1024  # http.maxHeaderSize: all headers together
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INSTANT = timedelta(microseconds=1)
# An answer's bytes per cookie listed, beyond its name, value, domain and path (the JSON keys).
_COOKIE_JSON_BYTES = 240
_PROBLEM_JSON_BYTES = 600  # a message, a spec and, for some, a note on how browsers differ
_STEP_JSON_BYTES = 600


class FlowError(ValueError):
    """A flow the engine will not replay, with the finding that says why."""

    def __init__(self, code: str, field_name: str, message: str) -> None:
        super().__init__(message)
        self.finding = finding(code, field_name, message)


@dataclass(frozen=True, slots=True)
class Response:
    status: int = 200
    set_cookie: tuple[str, ...] = ()
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One request of the flow, and its response."""

    url: str
    method: str = "GET"
    kind: Kind = "navigation"
    top_level_url: str | None = None  # the page it belongs to; a navigation's is its own URL
    initiator: str | None = None  # the origin that started it; None: typed (a navigation)
    credentials: str = "include"
    at: datetime | None = None  # None: the previous step's time
    response: Response = Response()
    document_cookie: tuple[str, ...] = ()
    recorded: bool = False  # from a HAR: recorded_cookie_header is what the browser sent
    recorded_cookie_header: str | None = None
    # From a HAR: when the response's headers arrived, if later than ``at``; requests made
    # meanwhile (a page's fetches while an iframe loads) go out without its cookies.
    answered_at: datetime | None = None


# The records a flow makes at every step are not frozen: a frozen dataclass sets each field
# through object.__setattr__, which made a StepReport 3.7x dearer to build (bench/README.md).
@dataclass(slots=True)
class NotSentCookie:
    """A cookie for this host that the request does not carry, and every reason."""

    name: str
    domain: str
    path: str
    partition_key: str | None
    problems: list[Finding]


@dataclass(slots=True)
class StepReport:
    url: str
    method: str
    kind: str
    top_level_url: str
    initiator: str | None
    at: datetime
    context: str  # the SameSite context in words
    samesite_context: str  # Chromium's ContextType
    partition_key: str
    cookie_header: str | None
    not_sent: list[NotSentCookie]
    results: list[HeaderResult]
    document_cookie_results: list[HeaderResult]
    jar: list[StoredCookie]
    inserted: bool  # a redirect hop the flow did not give, added with an empty response
    recorded: bool
    recorded_cookie_header: str | None

    @property
    def matches(self) -> bool:
        return self.cookie_header == self.recorded_cookie_header


@dataclass(frozen=True, slots=True)
class FlowFinding:
    """A finding about the flow, with the step (counted from 0) where it shows."""

    code: str
    field: str
    severity: str
    message: str
    spec: str | None
    chromium: str | None
    step: int
    name: str | None = None
    browsers: str | None = None


@dataclass(frozen=True, slots=True)
class FlowReport:
    browser: str
    steps: list[StepReport]
    findings: list[FlowFinding]


def flow_finding(code: str, message: str, step: int, name: str | None = None) -> FlowFinding:
    made = finding(code, "steps", message)
    return FlowFinding(
        made.code, made.field, made.severity, made.message, made.spec, made.chromium, step, name
    )


@dataclass(slots=True)
class _Request:
    """A request as replayed: a step, or the redirect hop the previous response asked for."""

    url: str
    method: str
    kind: Kind
    top_level_url: str
    initiator: str | None
    credentials: str


@dataclass(slots=True)
class _SetBy:
    """Where a cookie of the jar came from, for the flow's findings."""

    step: int
    header: str
    request_path: str
    sent: bool = False
    last_reason: str | None = None
    path_given: bool | None = None  # whether its Path attribute was used, once looked up

    def reset(self, step: int, header: str, request_path: str, path_given: bool | None) -> None:
        """Set again, by ``header`` at ``step``: nothing of before counts."""
        self.step, self.header, self.request_path = step, header, request_path
        self.sent, self.last_reason, self.path_given = False, None, path_given


@dataclass(slots=True)
class _OnItsWay:
    """A request that has left, with what it carried, waiting for its response."""

    request: _Request
    step: Step | None
    index: int
    location: Location
    top: Location
    context: RequestContext
    omitted: bool
    at: datetime
    header: str | None
    not_sent: list[NotSentCookie]


def check_flow_size(steps: Sequence[Step]) -> None:
    """Raise ``FlowError`` for a flow over the bounds the answer's size depends on."""
    if not 1 <= len(steps) <= MAX_STEPS:
        raise FlowError("step_count", "steps", f"Give 1 to {MAX_STEPS} steps, not {len(steps)}.")
    for number, step in enumerate(steps):
        if len(step.response.set_cookie) > MAX_SET_COOKIES or (
            len(step.document_cookie) > MAX_SET_COOKIES
        ):
            raise FlowError(
                "header_count",
                "steps",
                f"Step {number}: give at most {MAX_SET_COOKIES} Set-Cookie values and "
                f"{MAX_SET_COOKIES} document.cookie writes.",
            )
    total = sum(len(step.response.set_cookie) + len(step.document_cookie) for step in steps)
    if total > MAX_FLOW_COOKIES:
        raise FlowError(
            "replay_too_large",
            "steps",
            f"The flow sets {total} cookies; give at most {MAX_FLOW_COOKIES} Set-Cookie values "
            "and document.cookie writes in all.",
        )


class _Flow:
    """The state of one replay: the jar, the clock, and what the findings need."""

    def __init__(self, now: datetime, browser: str, insert_hops: bool) -> None:
        self.jar = CookieJar()
        self.ordered: list[StoredCookie] = []  # the jar in send order (§5.8.3)
        self.clock = now.astimezone(UTC)
        self.blocked = browser == "chromium-third-party-blocked"
        self.browser = BROWSERS.get(browser, CHROMIUM)  # the engine whose rules apply
        self.insert_hops = insert_hops
        self.reports: list[StepReport] = []
        self.findings: list[FlowFinding] = []
        self.set_by: dict[tuple, _SetBy] = {}
        self.shadowed: set[tuple] = set()
        self.default_path_told: set[tuple] = set()
        self.allowed_unsafe: set[tuple] = set()
        self.header_too_large_told = False
        self.paths_given: dict[str, bool] = {}  # by Set-Cookie header, for default_path
        self.answer_bytes = 0
        # A recording that holds Cookie request headers: one without them shows nothing of
        # what a request did not send (a HAR exported without them, or made by hand).
        self.cookies_recorded = False

    # One request -------------------------------------------------------------------------

    def begin(self, request: _Request, at: datetime, step: Step | None, index: int) -> _OnItsWay:
        """The request leaves: the Cookie header it carries, and why each other cookie stays."""
        location = _location(request.url, "url")
        top = _location(request.top_level_url, "top_level_url")
        context = request_context(
            request.kind,
            request.method,
            host_site(location.scheme, location.host),
            host_site(top.scheme, top.host),
            request.initiator,
            self.browser.schemeful_same_site,
        )
        # Fetch §4.5: credentials "omit", or "same-origin" to another origin, carry no cookies
        # and store none.
        omitted = _credentials_omitted(request)
        if step is not None and step.recorded:
            self.seed_recorded(step, location, at, index)
        sent, not_sent = self.send(location, context, at, omitted, index)
        if sent and step is not None and self.made_without_credentials(step, request, index):
            omitted = True
            sent, not_sent = self.send(location, context, at, omitted, index)
        header = cookie_header(sent) if sent else None
        self.check_sent(sent, header, index)
        return _OnItsWay(
            request, step, index, location, top, context, omitted, at, header, not_sent
        )

    def finish(
        self, going: _OnItsWay, response: Response, scripts: tuple[str, ...], at: datetime
    ) -> StepReport:
        """Its response arrives at ``at``: the Set-Cookie headers, then the page's scripts."""
        request, step, index, location, top, context = (
            going.request,
            going.step,
            going.index,
            going.location,
            going.top,
            going.context,
        )
        results = self.store(
            response.set_cookie, location, context, at, going.omitted, request.top_level_url, index
        )
        # document.cookie runs in the document: the navigated one, or the page of a request.
        document, document_context = location, context
        if scripts and request.kind == "subresource":
            page = host_site(top.scheme, top.host)
            document, document_context = top, request_context("navigation", "GET", page, page, None)
        script_results = self.store(
            scripts,
            document,
            document_context,
            at,
            False,
            request.top_level_url,
            index,
            from_script=True,
        )
        self.jar.remove_expired(at)
        jar = self.ordered = in_send_order(self.jar.cookies, self.browser.send_order_by_domain)
        self.count(
            request.url
            + request.top_level_url
            + (going.header or "")
            + ((step and step.recorded_cookie_header) or ""),
            jar,
            results,
            script_results,
            going.not_sent,
        )
        return StepReport(
            url=request.url,
            method=request.method,
            kind=request.kind,
            top_level_url=request.top_level_url,
            initiator=request.initiator,
            at=going.at,
            context=context.words,
            samesite_context=context.samesite,
            partition_key=context.partition_key,
            cookie_header=going.header,
            not_sent=going.not_sent,
            results=results,
            document_cookie_results=script_results,
            jar=jar,
            inserted=step is None,
            recorded=step is not None and step.recorded,
            recorded_cookie_header=step.recorded_cookie_header if step else None,
        )

    def run(
        self,
        request: _Request,
        response: Response,
        scripts: tuple[str, ...],
        at: datetime,
        step: Step | None,
    ) -> None:
        """One request and its response, one after the other."""
        going = self.begin(request, at, step, len(self.reports))
        self.reports.append(self.finish(going, response, scripts, at))

    def seed_recorded(self, step: Step, location: Location, at: datetime, index: int) -> None:
        """The cookies a recorded request sent that no response of the recording set (written by
        document.cookie, which a HAR does not record, or older than the recording): into the
        jar as the page's script would write them, host-only with path /, so that what
        follows is replayed with them."""
        if not step.recorded_cookie_header:
            return
        names = {cookie.name for cookie in self.ordered if for_host(cookie, location.host)}
        seeded = False
        for pair in step.recorded_cookie_header.split(";"):
            name, equals, value = pair.strip().partition("=")
            if not equals:  # a nameless cookie is sent as its value alone
                name, value = "", name
            if name in names:
                continue
            names.add(name)
            seeded = True
            self.jar.store(
                StoredCookie(
                    name, value, location.host, True, "/", None, False, False, None, False,
                    "Medium", created=at,
                ),
                from_script=True,
                secure_scheme=location.secure,
                now=at,
            )  # fmt: skip
            self.findings.append(
                flow_finding(
                    "har_cookie_not_set_in_recording",
                    f'"{name}" was sent, but no response of the recording set it: written by '
                    "document.cookie (a HAR does not record it) or older than the recording. It "
                    "is replayed from here as a host-only cookie with path /, no other attribute.",
                    index,
                    name,
                )
            )
        if seeded:
            self.ordered = in_send_order(self.jar.cookies, self.browser.send_order_by_domain)

    def made_without_credentials(self, step: Step, request: _Request, index: int) -> bool:
        """Whether a recorded fetch that sent no Cookie header, where the jar had cookies for
        it, was made without credentials: a HAR does not record fetch's credentials mode
        (Fetch §4.5: "omit", or "same-origin" to another origin, sends and stores none)."""
        if not self.cookies_recorded or step.recorded_cookie_header is not None:
            return False
        if request.kind != "subresource" or request.credentials != "include":
            return False
        self.findings.append(
            flow_finding(
                "har_credentials_inferred",
                "The browser sent no Cookie header with this request, though the jar had cookies "
                'for it: the fetch was made without credentials (credentials: "same-origin" to '
                'another origin, or "omit"). It is replayed so: nothing is sent, and its '
                "Set-Cookie is ignored.",
                index,
            )
        )
        return True

    def send(
        self, location: Location, context: RequestContext, at: datetime, omitted: bool, index: int
    ) -> tuple[list[StoredCookie], list[NotSentCookie]]:
        request = Request(
            host=location.host,
            path=location.path,
            secure=location.secure,
            cross_site=False,
            now=at,
            partition_key=context.partition_key,
            cross_site_ancestor=context.third_party,
        )
        sent: list[StoredCookie] = []
        not_sent: list[NotSentCookie] = []
        host = location.host
        # Whether the context may keep a cookie home: SameSite (not in a same-site context),
        # third-party blocking, credentials. Most requests of a flow are same-site ones.
        in_context = context.samesite != STRICT or omitted or (self.blocked and context.third_party)
        # The jar in send order as the step before left it: nothing changed it since.
        for cookie in self.ordered:
            if not for_host(cookie, host):
                continue  # another host's cookie (§5.8.3): not this request's business
            first = exclusion_for_host(cookie, request)
            if first is None and not in_context:
                sent.append(cookie)
                continue
            problems = [first] if first is not None else []
            if in_context:
                problems += self.context_problems(cookie, context, at, omitted, index)
            if not problems:
                sent.append(cookie)
                continue
            not_sent.append(
                NotSentCookie(
                    cookie.name, cookie.domain, cookie.path, cookie.partition_key, problems
                )
            )
            self.note_not_sent(cookie, problems, location, index)
        return sent, not_sent

    def context_problems(
        self,
        cookie: StoredCookie,
        context: RequestContext,
        at: datetime,
        omitted: bool,
        index: int,
    ) -> list[Finding]:
        problems = []
        samesite = (
            _samesite_problem(cookie, context, at)
            if cookie.samesite is not None or self.browser.unspecified_samesite_is_lax
            else None  # no SameSite is None in this engine (Browser.unspecified_samesite_is_lax)
        )
        if samesite == "allowed_unsafe" and cookie.key not in self.allowed_unsafe:
            self.allowed_unsafe.add(cookie.key)
            self.findings.append(
                flow_finding(
                    "lax_allow_unsafe",
                    f'"{cookie.name}" has no SameSite and goes with this {context.words} only '
                    "because it is under 2 minutes old (Chromium's Lax-allowing-unsafe): the "
                    "same request later is sent without it. Set SameSite=None; Secure if the "
                    "cross-site POST needs it.",
                    index,
                    cookie.name,
                )
            )
        elif isinstance(samesite, Finding):
            problems.append(samesite)
        if self.blocked and context.third_party and cookie.partition_key is None:
            # Third-party cookie blocking (CookieSettings): EXCLUDE_USER_PREFERENCES.
            problems.append(_third_party_blocked(cookie.name, "sent with"))
        if omitted:
            problems.append(_credentials_finding(cookie.name, "sent"))
        return problems

    def store(
        self,
        values: tuple[str, ...],
        location: Location,
        context: RequestContext,
        at: datetime,
        omitted: bool,
        top_level_url: str,
        index: int,
        *,
        from_script: bool = False,
    ) -> list[HeaderResult]:
        if not values:
            return []
        if omitted:
            refused = [_credentials_finding(None, "stored")]
            return [HeaderResult(value, "rejected", None, refused) for value in values]
        set_context = SetContext(
            host=location.host,
            secure_origin=location.secure,
            cross_site=context.set_cross_site,
            from_script=from_script,
            now=at,
            initiator=top_level_url,
        )
        jar = _BlockingJar(self.jar) if self.blocked and context.third_party else self.jar
        results = receive_response(
            list(values),
            location,
            set_context,
            jar,
            context.partition_key,
            context.third_party,
            self.browser,
        )
        default = default_path(location.path)
        for value, result in zip(values, results, strict=True):
            if result.cookie is not None:
                # A path other than the default one came from a Path attribute; the same one
                # may have, which the header tells when it matters (note_not_sent).
                given = True if result.cookie.path != default else None
                key = result.cookie.key
                origin = self.set_by.get(key)
                if origin is None:
                    self.set_by[key] = _SetBy(index, value, location.path, path_given=given)
                else:  # set again: a flow sets the same few cookies at every step
                    origin.reset(index, value, location.path, given)
        return results

    # The flow's findings -------------------------------------------------------------------

    def note_not_sent(
        self, cookie: StoredCookie, problems: list[Finding], location: Location, index: int
    ) -> None:
        origin = self.set_by.get(cookie.key)
        if origin is None or origin.step >= index:
            return
        origin.last_reason = problems[0].message
        if problems[0].code != "not_sent_path" or cookie.key in self.default_path_told:
            return
        if origin.path_given is None:
            origin.path_given = self.path_given(origin.header)
        if origin.path_given:
            return
        self.default_path_told.add(cookie.key)
        self.findings.append(
            flow_finding(
                "default_path",
                f"no Path: the path is {cookie.path}, the directory of {origin.request_path}; "
                f'add `Path=/`. ("{cookie.name}" is not sent to {location.path}.)',
                index,
                cookie.name,
            )
        )

    def path_given(self, header: str) -> bool:
        """Whether ``header`` has a Path attribute that was used (one starting with "/")."""
        given = self.paths_given.get(header)
        if given is None:
            parsed = parse_set_cookie(header).cookie
            given = self.paths_given[header] = bool(
                parsed and parsed.path and parsed.path.startswith("/")
            )
        return given

    def check_sent(self, sent: list[StoredCookie], header: str | None, index: int) -> None:
        for cookie in sent:
            origin = self.set_by.get(cookie.key)
            if origin is not None and origin.step < index:
                origin.sent = True
        if len({cookie.name for cookie in sent}) < len(sent):
            self.check_shadowed(sent, index)
        if header is not None and not self.header_too_large_told:
            self.check_header_size(header, index)

    def check_shadowed(self, sent: list[StoredCookie], index: int) -> None:
        """Cookies of one name sent together: servers read the first."""
        by_name: dict[str, list[StoredCookie]] = {}
        for cookie in sent:
            by_name.setdefault(cookie.name, []).append(cookie)
        for name, cookies in by_name.items():
            if len(cookies) < 2:
                continue
            key = (name, tuple((cookie.domain, cookie.path) for cookie in cookies))
            if key in self.shadowed:
                continue
            self.shadowed.add(key)
            where = ", ".join(f'"{c.value}" ({c.domain}{c.path})' for c in cookies)
            first = cookies[0]
            self.findings.append(
                flow_finding(
                    "cookie_name_shadowed",
                    f'{len(cookies)} cookies named "{name}" are sent together: {where}. The '
                    "longer path goes first, then the older cookie (RFC 6265bis §5.8.3); most "
                    "servers (Express's cookie package, Flask, Go's Request.Cookie, PHP) read "
                    f'the first, "{first.value}" from {first.domain}{first.path}. Delete the '
                    "stale one with its own Domain and Path, or use different names.",
                    index,
                    name,
                )
            )

    def check_header_size(self, header: str, index: int) -> None:
        size = len(header.encode("utf-8")) + len("Cookie: ")
        if size <= NGINX_HEADER_BUFFER:
            return
        self.header_too_large_told = True
        node = (
            f" and over Node's {NODE_HEADER_LIMIT // 1024} KiB limit on all headers (431)"
            if size > NODE_HEADER_LIMIT
            else f"; Node allows {NODE_HEADER_LIMIT // 1024} KiB for all headers"
        )
        self.findings.append(
            flow_finding(
                "cookie_header_too_large",
                f"The Cookie header line is {size} bytes: over nginx's default "
                f"{NGINX_HEADER_BUFFER // 1024} KiB header buffer "
                "(large_client_header_buffers, 400 Request Header Or Cookie Too "
                f"Large){node}.",
                index,
            )
        )

    def never_sent(self) -> None:
        """A cookie set, then left out of every later request to its host."""
        for key, origin in self.set_by.items():
            if origin.sent or origin.last_reason is None:
                continue
            self.findings.append(
                flow_finding(
                    "set_never_sent",
                    f'"{key[0]}" for {key[1]}{key[3]}, set at step {origin.step}, is sent with '
                    f"no later request of the flow. Last reason: {origin.last_reason}",
                    origin.step,
                    key[0],
                )
            )

    def count(
        self,
        url: str,
        jar: list[StoredCookie],
        results: list[HeaderResult],
        script_results: list[HeaderResult],
        not_sent: list[NotSentCookie],
    ) -> None:
        """Keep the answer within ``MAX_ANSWER_BYTES``, counted as it grows."""
        size = (
            _STEP_JSON_BYTES
            + 3 * len(url)
            + _COOKIE_JSON_BYTES * len(jar)
            + sum([len(c.name) + len(c.value) + len(c.domain) + len(c.path) for c in jar])
        )
        for result in (*results, *script_results):
            size += 2 * len(result.set_cookie) + _PROBLEM_JSON_BYTES * (len(result.problems) + 1)
        size += sum(
            len(item.name)
            + len(item.domain)
            + len(item.path)
            + _COOKIE_JSON_BYTES
            + _PROBLEM_JSON_BYTES * len(item.problems)
            for item in not_sent
        )
        self.add_answer_bytes(size)

    def add_answer_bytes(self, size: int) -> None:
        self.answer_bytes += size
        if self.answer_bytes > MAX_ANSWER_BYTES:
            raise FlowError(
                "replay_too_large",
                "steps",
                f"The answer would be over {MAX_ANSWER_BYTES // 1024} KiB by step "
                f"{len(self.reports)}: replay fewer steps, or fewer and smaller cookies.",
            )


class _BlockingJar:
    """The jar as a third-party context sees it when third-party cookies are blocked: only
    partitioned cookies are stored (CHIPS §1; EXCLUDE_USER_PREFERENCES otherwise)."""

    def __init__(self, jar: CookieJar) -> None:
        self.jar = jar

    def store(self, cookie: StoredCookie, **kwargs) -> list[Finding]:
        if cookie.partition_key is None:
            return [_third_party_blocked(cookie.name, "stored from")]
        return self.jar.store(cookie, **kwargs)


def _third_party_blocked(name: str, verb: str) -> Finding:
    return finding(
        "third_party_blocked",
        "partitioned",
        f'Third-party cookies are blocked (Incognito, and a profile that blocks them): "{name}" '
        f"is not {verb} a third-party context. Only a Partitioned cookie (CHIPS) is.",
    )


def _credentials_finding(name: str | None, verb: str) -> Finding:
    what = f'"{name}" is' if name else "Cookies are"
    return finding(
        "credentials_omitted",
        "credentials",
        f'{what} not {verb}: the fetch has credentials "omit", or "same-origin" to another '
        'origin (Fetch). Use credentials: "include" (and CORS with credentials).',
    )


def _samesite_problem(
    cookie: StoredCookie, context: RequestContext, at: datetime
) -> Finding | str | None:
    """Whether SameSite keeps ``cookie`` from this request (CanonicalCookie::IncludeForRequestURL
    in net/cookies/canonical_cookie.cc); "allowed_unsafe" for Lax-allowing-unsafe."""
    enforced = context.samesite
    if cookie.samesite == "None" or enforced == STRICT:
        return None
    if cookie.samesite == "Strict":
        return finding(
            "not_sent_samesite_strict",
            "samesite",
            f"{context.words}: Strict cookies are not sent",
        )
    if enforced not in (LAX_METHOD_UNSAFE, CROSS_SITE):
        return None
    if cookie.samesite == "Lax":
        return finding(
            "not_sent_samesite_lax", "samesite", f"{context.words}: Lax cookies are not sent"
        )
    # RFC 6265bis §5.6.7 and Chromium: no SameSite is Lax, with Lax-allowing-unsafe for a young
    # cookie on an unsafe top-level request (CanonicalCookie::IncludeForRequestURL).
    if (
        enforced == LAX_METHOD_UNSAFE
        and cookie.created is not None
        and at - cookie.created < LAX_ALLOW_UNSAFE_AGE
    ):
        return "allowed_unsafe"
    after = (
        " (a cookie under 2 minutes old would still go: Chromium's Lax-allowing-unsafe)"
        if enforced == LAX_METHOD_UNSAFE
        else ""
    )
    return finding(
        "not_sent_samesite_unspecified",
        "samesite",
        f"{context.words}: cookies without SameSite are Lax, and Lax cookies are not sent{after}",
    )


def _credentials_omitted(request: _Request) -> bool:
    """Fetch §4.5: a fetch without credentials, or same-origin ones to another origin."""
    if request.kind != "subresource" or request.credentials == "include":
        return False
    if request.credentials == "omit":
        return True
    origin = _origin_of(request.initiator or request.top_level_url)
    return origin is None or _origin_of(request.url) != origin


def _origin_of(url: str) -> tuple[str, str | None, int | None] | None:
    """Scheme, host and port; None for what is no URL (an opaque origin matches nothing)."""
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None


def check_step_url(url: str) -> list[Finding]:
    """A URL of a step: absolute http(s), at most ``MAX_URL_BYTES``."""
    return _check_url_size(url, "url") or check_url(url)


def check_initiator(origin: str) -> list[Finding]:
    """A step's initiator: an origin (or "null"), at most ``MAX_URL_BYTES`` like a URL."""
    return _check_url_size(origin, "initiator")


def check_location(location: str) -> list[Finding]:
    """A response's Location: at most ``MAX_URL_BYTES``, even where it is not followed."""
    return _check_url_size(location, "location")


def _check_url_size(text: str, field_name: str) -> list[Finding]:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_URL_BYTES:
        message = f"A URL of {size} bytes is over the {MAX_URL_BYTES}-byte limit."
        return [finding("url_too_long", field_name, message)]
    return []


def _location(url: str, field_name: str) -> Location:
    if len(url.encode("utf-8")) > MAX_URL_BYTES:
        raise FlowError("url_too_long", field_name, f"A URL is at most {MAX_URL_BYTES} bytes.")
    try:
        return Location.of(url)
    except InvalidUrl as error:
        raise FlowError("url_invalid", field_name, str(error)) from None


# Fetch "normalize a method": these are upper-cased, any other method is sent as given.
_NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


def normalize_method(method: str) -> str:
    """The method as browsers send it (Fetch §2.2.1 normalize)."""
    upper = method.upper()
    return upper if upper in _NORMALIZED_METHODS else method


def redirect_method(status: int, method: str) -> str:
    """Fetch §4.4 HTTP-redirect fetch: 301 and 302 turn POST into GET, 303 all but HEAD."""
    if (status in (301, 302) and method == "POST") or (status == 303 and method != "HEAD"):
        return "GET"
    return method


def _request_of(step: Step) -> _Request:
    top = step.url if step.kind == "navigation" else (step.top_level_url or step.url)
    return _Request(step.url, step.method, step.kind, top, step.initiator, step.credentials)


def _hop(previous: _Request, response: Response) -> _Request | None:
    """The redirect hop a response asks for, with the chain's context; None if it asks none."""
    if response.status not in REDIRECTS or not response.location:
        return None
    try:
        url = urljoin(previous.url, response.location)
    except ValueError as error:
        raise FlowError(
            "url_invalid", "location", f"{response.location!r} is not a URL: {error}."
        ) from None
    return _Request(
        url=url,
        method=redirect_method(response.status, previous.method),
        kind=previous.kind,
        top_level_url=url if previous.kind == "navigation" else previous.top_level_url,
        initiator=previous.initiator,
        credentials=previous.credentials,
    )


def replay(
    steps: Sequence[Step],
    *,
    now: datetime,
    browser: str = "chromium",
    insert_hops: bool = True,
) -> FlowReport:
    """Replay ``steps`` through one profile's jar. Raises ``FlowError`` for a flow it will not
    replay (a bad URL, too many cookies, an answer over 1 MiB)."""
    check_flow_size(steps)
    flow = _Flow(now, browser, insert_hops)
    pending: _Request | None = None
    at = flow.clock
    for step in steps:
        if step.at is not None:
            at = step.at.astimezone(UTC)
        if pending is not None and step.url != pending.url and insert_hops:
            index = len(flow.reports)
            flow.findings.append(
                flow_finding(
                    "redirect_hop_inserted",
                    f"Step {index - 1} redirects to {pending.url}, which the next step does not "
                    "request: the hop is replayed here with an empty 200 response.",
                    index,
                )
            )
            flow.run(pending, Response(), (), at, None)
            pending = None
        request = pending if pending is not None and step.url == pending.url else _request_of(step)
        flow.run(request, step.response, step.document_cookie, at, step)
        pending = _hop(request, step.response)
    if pending is not None and insert_hops:
        flow.findings.append(
            flow_finding(
                "redirect_hop_inserted",
                f"The last step redirects to {pending.url}: the hop is replayed with an empty "
                "200 response.",
                len(flow.reports),
            )
        )
        flow.run(pending, Response(), (), at, None)
    flow.never_sent()
    flow.add_answer_bytes(sum(len(item.message) + _PROBLEM_JSON_BYTES for item in flow.findings))
    return FlowReport(browser, flow.reports, flow.findings)


def replay_recorded(
    steps: Sequence[Step], *, now: datetime, browser: str = "chromium"
) -> FlowReport:
    """Replay requests recorded with their times (a HAR); the answer keeps the given order.

    Requests that overlap are replayed as they happened: each request leaves at its ``at`` with
    the jar as it is then, and each response's cookies are stored at its ``answered_at``. A
    redirect hop leaves once the response that asked for it is in.
    """
    check_flow_size(steps)
    flow = _Flow(now, browser, insert_hops=False)
    flow.cookies_recorded = any(step.recorded_cookie_header for step in steps)
    events: list[tuple[datetime, int, int, _Request | None]] = []
    pending: _Request | None = None
    leaves = answered = flow.clock
    for index, step in enumerate(steps):
        hop = pending is not None and step.url == pending.url
        request = pending if hop and pending is not None else _request_of(step)
        pending = _hop(request, step.response)
        leaves = step.at.astimezone(UTC) if step.at is not None else leaves
        if hop:
            leaves = max(leaves, answered)
        answered = step.answered_at.astimezone(UTC) if step.answered_at else leaves
        # A response comes in after its own request left, however the times were rounded.
        answered = max(answered, leaves + _INSTANT)
        # At one instant, a response comes in before another request leaves (0 before 1).
        events += [(leaves, 1, index, request), (answered, 0, index, None)]
    events.sort(key=lambda event: event[:3])
    on_their_way: dict[int, _OnItsWay] = {}
    reports: dict[int, StepReport] = {}
    for at, _kind, index, request in events:
        step = steps[index]
        if request is not None:
            on_their_way[index] = flow.begin(request, at, step, index)
        else:
            going = on_their_way.pop(index)
            reports[index] = flow.finish(going, step.response, step.document_cookie, at)
    flow.reports = [reports[index] for index in range(len(steps))]
    flow.never_sent()
    flow.add_answer_bytes(sum(len(item.message) + _PROBLEM_JSON_BYTES for item in flow.findings))
    return FlowReport(browser, flow.reports, flow.findings)
