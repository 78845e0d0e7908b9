"""Pages for people: the inspector (/inspect) and the rule tables (/rules).

The inspector is static HTML, CSS and JavaScript under ``api/static/inspect/``: no build step,
no CDN. It calls POST /lint like any other client, so what it shows, a client can get; it keeps
its input in the URL fragment, which never reaches the server. The rule tables are made from
the catalogue (``cookierules.findings.RULES``), as the README's are.

Both pages answer with a Content-Security-Policy that allows nothing but this origin's own files:
no inline script or style, no other origin, no plugin, no form posted elsewhere.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from flask import Blueprint, Response

from api.cookie_requests import REFUSED_RULES, WARNED_RULES
from cookierules.findings import LINT_CODES, REPLAY_CODES, RULES

PAGE_POLICY = (
    "default-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
_PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-cache"}
_CODE_SPAN = re.compile(r"`([^`]+)`")
STATIC = Path(__file__).resolve().parent / "static" / "inspect"

bp = Blueprint("inspect", __name__, static_folder=STATIC, static_url_path="/static/inspect")

# (id, heading, introduction, codes) of each table of /rules.
RULE_SECTIONS = (
    (
        "refused",
        "Rules POST /cookies refuses",
        "A cookie that breaks one of these is answered with a 400 naming each broken rule.",
        REFUSED_RULES,
    ),
    (
        "warned",
        "Rules POST /cookies warns of",
        "These depend on where the request comes from: the 201 sets the cookie and names "
        "them in warnings and findings, and its outcome says whether the browser keeps it.",
        WARNED_RULES,
    ),
    (
        "lint",
        "Rules only POST /lint shows",
        "Every rule above applies to POST /lint too, and these, which only a header as "
        "received, a jar that already holds cookies, or a later request shows.",
        LINT_CODES,
    ),
    (
        "replay",
        "Rules only POST /replay shows",
        "Every rule above applies to POST /replay too, and these, which only a flow of "
        "requests shows: contexts, partitions, third-party blocking and the flow as a whole.",
        REPLAY_CODES,
    ),
)


def _inline(text: str) -> str:
    """Escaped text, with Markdown's `code` spans as <code>."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html.escape(text, quote=False))


def _rule_rows(codes: Iterable[str]) -> str:
    rows = []
    for code in codes:
        rule = RULES[code]
        note = f'<p class="browsers">{_inline(rule.browsers)}</p>' if rule.browsers else ""
        chromium = f"<code>{rule.chromium}</code>" if rule.chromium else ""
        rows.append(
            f'<tr id="{code}"><td>{_inline(rule.summary)}{note}</td>'
            f"<td>{_inline(rule.effect)}</td><td>{html.escape(rule.spec or '')}</td>"
            f'<th scope="row"><code>{code}</code></th><td>{chromium}</td></tr>'
        )
    return "\n".join(rows)


@cache
def rules_page() -> str:
    """The rule tables as one HTML page."""
    sections = "\n".join(
        f'<section aria-labelledby="{key}-heading"><h2 id="{key}-heading">{heading}</h2>'
        f"<p>{html.escape(introduction)}</p>"
        f'<div class="scroll" tabindex="0" role="region" aria-labelledby="{key}-heading">'
        f'<table id="{key}-rules">'
        '<thead><tr><th scope="col">rule</th><th scope="col">what browsers do</th>'
        '<th scope="col">source</th><th scope="col">code</th><th scope="col">Chromium</th>'
        f"</tr></thead><tbody>{_rule_rows(codes)}</tbody></table></div></section>"
        for key, heading, introduction, codes in RULE_SECTIONS
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cookie rules · Cookie API</title>
<link rel="icon" href="static/inspect/icon.svg">
<link rel="stylesheet" href="static/inspect/style.css">
</head>
<body>
<header class="top">
<h1>The cookie rules</h1>
<nav aria-label="Cookie API"><a href="docs">API docs</a> <a href="inspect">Inspector</a></nav>
</header>
<main>
<p>Every rule the API checks, with the stable <code>code</code> its findings carry, the section
of RFC 6265bis (or CHIPS) that states it, and Chromium's name for the same reason, as DevTools
shows it. Prefixes match case-insensitively, as browsers match them.</p>
{sections}
</main>
</body>
</html>
"""


def _page(body: str | bytes) -> Response:
    return Response(body, mimetype="text/html", headers=_PAGE_HEADERS)


@bp.get("/inspect")
def inspector() -> Response:
    """The inspector: paste Set-Cookie headers, see what a browser does with them."""
    return _page(inspector_page())


@cache
def inspector_page() -> bytes:
    return (STATIC / "index.html").read_bytes()


@bp.get("/rules")
def rules() -> Response:
    """Every rule the API checks, in three tables."""
    return _page(rules_page())
