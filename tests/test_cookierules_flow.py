"""The flow engine: which cookies each request of a flow carries, and what it stores.

Each row is a behaviour of Chromium (net/cookies/cookie_util.cc, canonical_cookie.cc,
cookie_partition_key.cc); the Chromium oracle table checks the same rules in a real browser.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cookierules.flow import FlowError, Response, Step, replay
from cookierules.har import InvalidHar, har_steps, replay_har
from cookierules.headers_text import read_headers_text
from cookierules.lint import lint_set_cookies

T0 = datetime(2026, 12, 4, 10, tzinfo=UTC)
APP = "https://app.example"
SAMESITES = {
    "strict": "s=1; Path=/; Secure; SameSite=Strict",
    "lax": "l=1; Path=/; Secure; SameSite=Lax",
    "none": "n=1; Path=/; Secure; SameSite=None",
    "unspecified": "u=1; Path=/; Secure",
}


def set_then(request: Step, *, set_at: datetime = T0, browser: str = "chromium"):
    """Set the four SameSite kinds from a typed navigation to app.example, then ``request``."""
    steps = [
        Step(f"{APP}/", at=set_at, response=Response(200, tuple(SAMESITES.values()))),
        request,
    ]
    return replay(steps, now=T0, browser=browser).steps[-1]


@pytest.mark.parametrize(
    ("request_step", "header", "context"),
    [
        # Top-level navigations: Lax goes with a cross-site safe method, Strict does not.
        (Step(f"{APP}/a", at=T0), "s=1; l=1; n=1; u=1", "same-site GET navigation (typed URL)"),
        (
            Step(f"{APP}/a", initiator=APP, at=T0),
            "s=1; l=1; n=1; u=1",
            "same-site GET navigation",
        ),
        (
            Step(f"{APP}/a", initiator="https://idp.example", at=T0),
            "l=1; n=1; u=1",
            "cross-site GET navigation",
        ),
        (
            Step(f"{APP}/a", method="HEAD", initiator="https://idp.example", at=T0),
            "l=1; n=1; u=1",
            "cross-site HEAD navigation",
        ),
        # An unsafe method: no Lax; a cookie without SameSite only while under 2 minutes old.
        (
            Step(f"{APP}/a", method="POST", initiator="https://idp.example", at=T0),
            "n=1; u=1",
            "cross-site POST navigation",
        ),
        (
            Step(
                f"{APP}/a",
                method="POST",
                initiator="https://idp.example",
                at=T0 + timedelta(minutes=2),
            ),
            "n=1",
            "cross-site POST navigation",
        ),
        (
            Step(f"{APP}/a", method="POST", initiator=APP, at=T0 + timedelta(hours=1)),
            "s=1; l=1; n=1; u=1",
            "same-site POST navigation",
        ),
        # Iframes: the top-level page decides; an initiator of another site is a cross-site
        # parent frame, which nulls the site for cookies (ComputeSiteForCookies).
        (
            Step(f"{APP}/f", kind="iframe", top_level_url="https://news.example/", at=T0),
            "n=1",
            "cross-site GET iframe navigation",
        ),
        (
            Step(f"{APP}/f", kind="iframe", top_level_url=f"{APP}/", at=T0),
            "s=1; l=1; n=1; u=1",
            "same-site GET iframe navigation",
        ),
        (
            Step(
                f"{APP}/f",
                kind="iframe",
                top_level_url=f"{APP}/",
                initiator="https://ads.example",
                at=T0,
            ),
            "n=1",
            "cross-site GET iframe navigation",
        ),
        # Subresources: same-site with the page, or only SameSite=None.
        (
            Step(f"{APP}/api", kind="subresource", top_level_url=f"{APP}/", at=T0),
            "s=1; l=1; n=1; u=1",
            "same-site GET request",
        ),
        (
            Step(
                f"{APP}/api",
                method="POST",
                kind="subresource",
                top_level_url="https://shop.example/",
                at=T0,
            ),
            "n=1",
            "cross-site POST request",
        ),
        # A fetch from a cross-site iframe: a null site for cookies, even to the top site.
        (
            Step(
                f"{APP}/api",
                kind="subresource",
                top_level_url=f"{APP}/",
                initiator="https://widget.example",
                at=T0,
            ),
            "n=1",
            "cross-site GET request",
        ),
    ],
)
def test_what_each_context_sends(request_step, header, context):
    step = set_then(request_step)

    assert (step.cookie_header, step.context) == (header, context)


def test_a_cross_site_post_navigation_explains_each_cookie_left_out():
    step = set_then(
        Step(
            f"{APP}/cb",
            method="POST",
            initiator="https://idp.example",
            at=T0 + timedelta(minutes=5),
        )
    )

    reasons = {item.name: [(p.code, p.message) for p in item.problems] for item in step.not_sent}
    assert reasons == {
        "s": [
            ("not_sent_samesite_strict", "cross-site POST navigation: Strict cookies are not sent")
        ],
        "l": [("not_sent_samesite_lax", "cross-site POST navigation: Lax cookies are not sent")],
        "u": [
            (
                "not_sent_samesite_unspecified",
                "cross-site POST navigation: cookies without SameSite are Lax, and Lax cookies "
                "are not sent (a cookie under 2 minutes old would still go: Chromium's "
                "Lax-allowing-unsafe)",
            )
        ],
    }
    assert step.samesite_context == "SAME_SITE_LAX_METHOD_UNSAFE"


def test_lax_allowing_unsafe_is_a_finding():
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, ("u=1; Path=/; Secure",))),
            Step(f"{APP}/cb", method="POST", initiator="https://idp.example"),
        ],
        now=T0,
    )

    assert report.steps[1].cookie_header == "u=1"
    assert [(f.code, f.step, f.name) for f in report.findings] == [("lax_allow_unsafe", 1, "u")]


def test_a_replaced_cookie_moves_to_the_end_unless_its_value_is_the_same():
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, ("a=1; Path=/", "b=1; Path=/", "c=1; Path=/"))),
            Step(f"{APP}/", response=Response(200, ("a=2; Path=/", "b=1; Path=/"))),
            Step(f"{APP}/"),
        ],
        now=T0,
    )

    assert report.steps[2].cookie_header == "b=1; c=1; a=2"


def test_a_redirect_through_another_site_still_sends_strict_to_the_final_url():
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, (SAMESITES["strict"],))),
            Step(
                f"{APP}/go",
                initiator=APP,
                response=Response(302, (), "https://sso.example/hop"),
            ),
            Step("https://sso.example/hop", response=Response(302, (), f"{APP}/final")),
            Step(f"{APP}/final"),
        ],
        now=T0,
    )

    final = report.steps[3]
    assert (final.cookie_header, final.initiator, final.context) == (
        "s=1",
        APP,
        "same-site GET navigation",
    )
    assert report.steps[2].context == "cross-site GET navigation"


def test_a_typed_url_is_same_site_at_every_hop():
    report = replay(
        [
            Step(
                "https://sso.example/",
                response=Response(200, ("t=1; Path=/; Secure; SameSite=Strict",)),
            ),
            Step(f"{APP}/go", response=Response(302, (), "https://sso.example/back")),
            Step("https://sso.example/back"),
        ],
        now=T0,
    )

    assert [step.samesite_context for step in report.steps] == ["SAME_SITE_STRICT"] * 3
    assert report.steps[2].cookie_header == "t=1"


@pytest.mark.parametrize(
    ("status", "method", "then"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "PUT", "GET"),
        (307, "POST", "POST"),
        (308, "POST", "POST"),
        (303, "HEAD", "HEAD"),
    ],
)
def test_a_redirect_changes_the_method_as_fetch_says(status, method, then):
    report = replay(
        [Step(f"{APP}/a", method=method, response=Response(status, (), "/b")), Step(f"{APP}/b")],
        now=T0,
    )

    assert report.steps[1].method == then


def test_a_missing_redirect_hop_is_inserted_and_flagged():
    report = replay(
        [
            Step(f"{APP}/a", response=Response(302, ("x=1; Path=/",), "/b")),
            Step(f"{APP}/c"),
        ],
        now=T0,
    )

    assert [(step.url, step.inserted) for step in report.steps] == [
        (f"{APP}/a", False),
        (f"{APP}/b", True),
        (f"{APP}/c", False),
    ]
    assert report.steps[1].cookie_header == "x=1"
    assert [f.code for f in report.findings] == ["redirect_hop_inserted"]


def test_a_partitioned_cookie_is_read_only_under_the_site_it_was_set_under():
    widget = "https://widget.example/embed"
    report = replay(
        [
            Step(
                widget,
                kind="iframe",
                top_level_url="https://shop.example/",
                response=Response(200, ("w=1; Path=/; Secure; SameSite=None; Partitioned",)),
            ),
            Step(widget, kind="iframe", top_level_url="https://shop.example/cart"),
            Step(widget, kind="iframe", top_level_url="https://news.example/"),
        ],
        now=T0,
    )

    assert report.steps[0].jar[0].partition_key == "https://shop.example"
    assert [step.cookie_header for step in report.steps[1:]] == ["w=1", None]
    [left_out] = report.steps[2].not_sent
    assert [p.code for p in left_out.problems] == ["not_sent_partition"]


@pytest.mark.parametrize(
    ("browser", "stored", "header"),
    [("chromium", ["n=1", "p=1"], "n=1; p=1"), ("chromium-third-party-blocked", ["p=1"], "p=1")],
)
def test_third_party_blocking_keeps_only_partitioned_cookies(browser, stored, header):
    widget = "https://widget.example/embed"
    report = replay(
        [
            Step(
                widget,
                kind="iframe",
                top_level_url="https://shop.example/",
                response=Response(
                    200,
                    (
                        "n=1; Path=/; Secure; SameSite=None",
                        "p=1; Path=/; Secure; SameSite=None; Partitioned",
                    ),
                ),
            ),
            Step(widget, kind="iframe", top_level_url="https://shop.example/"),
        ],
        now=T0,
        browser=browser,
    )

    first = report.steps[0]
    assert [f"{c.name}={c.value}" for c in first.jar] == stored
    assert report.steps[1].cookie_header == header
    if browser != "chromium":
        assert [p.chromium for p in first.results[0].problems][-1] == "EXCLUDE_USER_PREFERENCES"


def test_a_first_party_cookie_is_not_sent_to_a_third_party_context_when_blocked():
    report = replay(
        [
            Step("https://widget.example/", response=Response(200, (SAMESITES["none"],))),
            Step("https://widget.example/embed", kind="iframe", top_level_url=f"{APP}/"),
            Step("https://widget.example/again"),
        ],
        now=T0,
        browser="chromium-third-party-blocked",
    )

    assert [step.cookie_header for step in report.steps[1:]] == [None, "n=1"]
    assert [p.code for p in report.steps[1].not_sent[0].problems] == ["third_party_blocked"]


@pytest.mark.parametrize(
    ("credentials", "url", "sent"),
    [
        ("omit", f"{APP}/api", False),
        ("same-origin", f"{APP}/api", True),
        ("same-origin", "https://api.app.example/v1", False),
        ("include", "https://api.app.example/v1", True),
    ],
)
def test_credentials_decide_whether_a_fetch_sends_and_stores(credentials, url, sent):
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, ("d=1; Domain=app.example; Path=/",))),
            Step(
                url,
                kind="subresource",
                top_level_url=f"{APP}/",
                credentials=credentials,
                response=Response(200, ("e=1; Domain=app.example; Path=/",)),
            ),
        ],
        now=T0,
    )

    step = report.steps[1]
    assert step.cookie_header == ("d=1" if sent else None)
    assert step.results[0].outcome == ("stored" if sent else "rejected")


def test_expiry_is_judged_at_each_step():
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, ("m=1; Path=/; Max-Age=60",))),
            Step(f"{APP}/", at=T0 + timedelta(seconds=59)),
            Step(f"{APP}/", at=T0 + timedelta(seconds=61)),
        ],
        now=T0,
    )

    assert [step.cookie_header for step in report.steps] == [None, "m=1", None]
    assert report.steps[2].jar == []


def test_document_cookie_writes_follow_the_script_rules():
    report = replay(
        [
            Step(f"{APP}/", document_cookie=("theme=dark; path=/", "token=1; HttpOnly")),
            Step(f"{APP}/next"),
        ],
        now=T0,
    )

    results = report.steps[0].document_cookie_results
    assert [r.outcome for r in results] == ["stored", "rejected"]
    assert results[1].problems[0].code == "httponly_from_script"
    assert report.steps[1].cookie_header == "theme=dark"


def test_shadowed_names_name_the_one_servers_read():
    report = replay(
        [
            Step(f"{APP}/", response=Response(200, ("id=old; Path=/",))),
            Step(f"{APP}/app/x", response=Response(200, ("id=new; Path=/app",))),
            Step(f"{APP}/app/y"),
        ],
        now=T0,
    )

    assert report.steps[2].cookie_header == "id=new; id=old"
    [shadow] = [f for f in report.findings if f.code == "cookie_name_shadowed"]
    assert (shadow.step, shadow.name) == (2, "id")
    assert 'read the first, "new" from app.example/app' in shadow.message


def test_a_default_path_that_keeps_a_cookie_away_is_named():
    report = replay(
        [
            Step(f"{APP}/api/login", response=Response(200, ("sid=1; Secure",))),
            Step(f"{APP}/dashboard"),
        ],
        now=T0,
    )

    codes = {f.code: f.message for f in report.findings}
    assert codes["default_path"].startswith(
        "no Path: the path is /api, the directory of /api/login; add `Path=/`."
    )
    assert codes["set_never_sent"].startswith('"sid" for app.example/api, set at step 0')


def test_a_cookie_header_over_8_kib_is_flagged():
    big = tuple(f"c{n}={'x' * 3000}; Path=/" for n in range(3))
    report = replay([Step(f"{APP}/", response=Response(200, big)), Step(f"{APP}/")], now=T0)

    [too_large] = [f for f in report.findings if f.code == "cookie_header_too_large"]
    assert "nginx's default 8 KiB" in too_large.message
    assert too_large.step == 1


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ([], "step_count"),
        ([Step(f"{APP}/")] * 101, "step_count"),
        ([Step(f"{APP}/", response=Response(200, ("a=1",) * 51))], "header_count"),
        ([Step(f"{APP}/", response=Response(200, ("a=1",) * 50))] * 21, "replay_too_large"),
        ([Step("ftp://app.example/")], "url_invalid"),
        ([Step(f"{APP}/" + "x" * 9000)], "url_too_long"),
    ],
)
def test_flows_out_of_bounds_are_refused(steps, code):
    with pytest.raises(FlowError) as raised:
        replay(steps, now=T0)
    assert raised.value.finding.code == code


def test_an_answer_over_1_mib_is_refused_before_it_is_built():
    steps = [
        Step(f"{APP}/", response=Response(200, tuple(f"c{s}x{n}={'v' * 1000}" for n in range(50))))
        for s in range(20)
    ]
    with pytest.raises(FlowError) as raised:
        replay(steps, now=T0)
    assert raised.value.finding.code == "replay_too_large"


# Raw header text and HAR files


def test_a_raw_header_block_gives_status_set_cookie_and_location():
    text = (
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nSet-Cookie: a=1; Path=/\r\n"
        "set-cookie:b=2\r\nLocation: /next\r\n\r\n<html>Set-Cookie: c=3</html>"
    )
    assert read_headers_text(text) == (302, ["a=1; Path=/", "b=2"], "/next")
    assert read_headers_text(":status: 200\nset-cookie: a=1\n") == (200, ["a=1"], None)


def har(*entries, pages=()):
    return {"log": {"version": "1.2", "pages": list(pages), "entries": list(entries)}}


def entry(url, *, method="GET", sent=(), received=(), status=200, dest="document", at=T0):
    return {
        "startedDateTime": at.isoformat(),
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": url,
            "headers": [{"name": "sec-fetch-dest", "value": dest}, *sent],
        },
        "response": {"status": status, "headers": list(received)},
    }


def test_a_har_is_replayed_entry_by_entry_and_compared():
    log = har(
        entry(
            f"{APP}/login",
            sent=[{"name": "sec-fetch-site", "value": "none"}],
            received=[{"name": "set-cookie", "value": "sid=1; Path=/; SameSite=Lax\nk=2; Path=/"}],
        ),
        entry(
            f"{APP}/cb",
            method="POST",
            sent=[{"name": "Origin", "value": "https://idp.example"}],
            at=T0 + timedelta(seconds=1),
        ),
        entry(
            f"{APP}/api",
            dest="empty",
            at=T0 + timedelta(seconds=2),
            sent=[{"name": "Cookie", "value": "sid=1; k=2"}, {"name": "Referer", "value": APP}],
        ),
    )

    report = replay_har(log, now=T0)

    assert [
        (s.kind, s.cookie_header, s.recorded_cookie_header, s.matches) for s in report.steps
    ] == [
        ("navigation", None, None, True),
        ("navigation", "k=2", None, False),
        ("subresource", "sid=1; k=2", "sid=1; k=2", True),
    ]
    assert report.steps[2].top_level_url == f"{APP}/cb"


def test_a_har_without_any_cookie_is_called_sanitised():
    report = replay_har(har(entry(f"{APP}/"), entry(f"{APP}/x")), now=T0)

    assert report.findings[0].code == "har_sanitised"
    assert "Allow to generate HAR with sensitive data" in report.findings[0].message


@pytest.mark.parametrize(
    "log",
    [None, {}, {"log": {}}, {"log": {"entries": []}}, har({"request": {}}), har(entry(1))],
)
def test_a_har_that_is_none_is_refused(log):
    with pytest.raises(InvalidHar):
        har_steps(log)


# Joined Set-Cookie values, in POST /lint's engine too


@pytest.mark.parametrize(
    ("header", "code", "stored"),
    [
        (
            "a=1; Expires=Wed, 21 Oct 2027 07:28:00 GMT, b=2; HttpOnly",
            "set_cookie_comma_joined",
            ["a"],
        ),
        ("a=1, b=2", "set_cookie_comma_joined", ["a"]),
        ("Set-Cookie: sid=1; Path=/", "set_cookie_prefix_pasted", ["Set-Cookie: sid"]),
        ("a=1\nb=2", "set_cookie_newline_joined", None),
        ("a=1\r\nSet-Cookie: b=2", "set_cookie_newline_joined", None),
    ],
)
def test_joined_values_are_named_and_the_prediction_stays_chromiums(header, code, stored):
    report = lint_set_cookies(f"{APP}/", [header], now=T0)

    [result] = report.results
    assert code in [p.code for p in result.problems]
    if stored is not None:
        assert [c.name for c in report.cookies] == stored


@pytest.mark.parametrize(
    "header", ["a=1; Expires=Wed, 21 Oct 2027 07:28:00 GMT", "a=1; Path=/a,b", "a=b:c"]
)
def test_one_value_is_not_called_joined(header):
    [result] = lint_set_cookies(f"{APP}/", [header], now=T0).results
    assert not [p for p in result.problems if p.code.startswith("set_cookie_")]


@pytest.mark.parametrize(
    ("headers", "initiator"),
    [
        ([{"name": "Sec-Fetch-Site", "value": "none"}], None),
        ([{"name": "Origin", "value": "https://idp.example"}], "https://idp.example"),
        ([{"name": "Referer", "value": "https://idp.example/form?x=1"}], "https://idp.example"),
        ([{"name": "Sec-Fetch-Site", "value": "cross-site"}], "null"),
        ([{"name": "Sec-Fetch-Site", "value": "same-origin"}], APP),
    ],
)
def test_a_har_entry_names_its_initiator_from_its_headers(headers, initiator):
    [step], _ = har_steps(har(entry(f"{APP}/x", sent=headers)))

    assert step.initiator == initiator


def broken(**changes):
    item = entry(f"{APP}/x")
    for path, value in changes.items():
        where, key = path.split("__")
        item[where][key] = value
    return har(item)


@pytest.mark.parametrize(
    "log",
    [
        broken(request__headers="x"),
        broken(request__headers=[{"value": "1"}]),
        broken(request__headers=[{"name": "Cookie", "value": 1}]),
        broken(response__status="200"),
        broken(response__status=True),
        har({**entry(f"{APP}/x"), "startedDateTime": "yesterday"}),
        har({**entry(f"{APP}/x"), "startedDateTime": "2026-12-04T10:00:00"}),
        har({**entry(f"{APP}/x"), "request": []}),
    ],
)
def test_a_har_entry_out_of_shape_is_refused_with_its_place(log):
    with pytest.raises(InvalidHar, match=r"har\.log\.entries\[0\]"):
        har_steps(log)


def test_a_cors_preflight_in_a_har_carries_no_cookie():
    preflight = entry(
        f"{APP}/api",
        method="OPTIONS",
        dest="empty",
        sent=[
            {"name": "Access-Control-Request-Method", "value": "PUT"},
            {"name": "Origin", "value": APP},
        ],
    )
    log = har(
        entry(
            f"{APP}/",
            sent=[{"name": "Sec-Fetch-Site", "value": "none"}],
            received=[{"name": "Set-Cookie", "value": "a=1; Path=/"}],
        ),
        preflight,
    )

    report = replay_har(log, now=T0)

    assert report.steps[1].cookie_header is None
    assert report.steps[1].matches


def test_a_redirect_from_the_last_step_is_replayed_after_it():
    report = replay([Step(f"{APP}/a", method="POST", response=Response(303, (), "/done"))], now=T0)

    assert [(s.url, s.method, s.inserted) for s in report.steps] == [
        (f"{APP}/a", "POST", False),
        (f"{APP}/done", "GET", True),
    ]


def test_a_fetch_s_page_writes_document_cookie_for_itself():
    report = replay(
        [
            Step(
                "https://api.example/v1",
                kind="subresource",
                top_level_url=f"{APP}/page",
                document_cookie=("seen=1; path=/",),
            ),
            Step(f"{APP}/other"),
        ],
        now=T0,
    )

    assert report.steps[0].jar[0].domain == "app.example"
    assert report.steps[1].cookie_header == "seen=1"


def test_a_path_given_equal_to_the_default_is_no_default_path_finding():
    report = replay(
        [
            Step(f"{APP}/api/login", response=Response(200, ("sid=1; Path=/api",))),
            Step(f"{APP}/home"),
            Step(f"{APP}/else"),
        ],
        now=T0,
    )

    assert [f.code for f in report.findings] == ["set_never_sent"]


def test_a_long_initiator_is_read_without_the_cache():
    initiator = "https://" + "a" * 300 + ".example"
    report = replay(
        [Step(f"{APP}/", response=Response(200, ("a=1",))), Step(f"{APP}/", initiator=initiator)],
        now=T0,
    )

    assert report.steps[1].context == "cross-site GET navigation"
    assert report.steps[1].cookie_header == "a=1"


def test_two_cookies_of_one_name_are_flagged_once():
    steps = [
        Step(f"{APP}/", response=Response(200, ("id=1; Path=/",))),
        Step(f"{APP}/app/", response=Response(200, ("id=2; Path=/app",))),
        Step(f"{APP}/app/x"),
        Step(f"{APP}/app/y"),
    ]

    report = replay(steps, now=T0)

    assert [f.code for f in report.findings] == ["cookie_name_shadowed"]


def test_a_har_request_made_while_another_response_is_on_its_way_goes_without_its_cookies():
    """Entries overlap: a page's fetch leaves before an iframe's response sets its cookie."""
    frame = entry(
        "https://widget.example/embed",
        dest="iframe",
        received=[{"name": "Set-Cookie", "value": "w=1; Path=/; Secure; SameSite=None"}],
        at=T0,
    )
    frame["timings"] = {"blocked": -1, "connect": 300, "ssl": 250, "send": 0, "wait": 500}
    early, late = (
        entry(
            "https://widget.example/api",
            dest="empty",
            sent=[{"name": "Origin", "value": APP}],
            at=T0 + timedelta(milliseconds=offset),
        )
        for offset in (300, 900)
    )
    log = har(
        entry(f"{APP}/", sent=[{"name": "Sec-Fetch-Site", "value": "none"}]), frame, early, late
    )

    report = replay_har(log, now=T0)

    assert [s.cookie_header for s in report.steps] == [None, None, None, "w=1"]
