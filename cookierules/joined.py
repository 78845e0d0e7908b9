"""Set-Cookie values that are several headers in one: joined with ", ", with a line break, or
pasted with the header name in front.

Browsers read each Set-Cookie header on its own (RFC 9110 §5.3 forbids combining them; RFC 6265bis
§3). A value that holds several is nearly always a tool's doing: ``fetch``'s
``headers.get('set-cookie')`` and many proxies join them with ", ", a log or a copy joins them
with a line break. The prediction stays what the browser does with the one value; these findings
name the split so the diagnosis is not a misleading one.
"""

from __future__ import annotations

import itertools
import re

from cookierules.findings import Finding, finding

# ", name=" or a line break followed by "name=": a cookie-pair starting after the join. A cookie
# value cannot hold a comma (RFC 6265bis §4.1.1), and an Expires date's comma is followed by the
# day ("Wed, 21 Oct"), never by "token=".
_COMMA_JOIN = re.compile(r",[ \t]*(?:set-cookie:[ \t]*)?[!#$%&'*+\-.^_`|~0-9A-Za-z]+=", re.I)
_LINE_JOIN = re.compile(r"\r?\n[ \t]*(?:set-cookie:[ \t]*)?[^\r\n=;]*=", re.I)
_PREFIX = re.compile(r"[ \t]*set-cookie[ \t]*:", re.I)


def _parts(pieces: list[str]) -> str:
    return " | ".join(piece.strip() for piece in pieces if piece.strip())


def check_joined(header: str) -> list[Finding]:
    """Findings for a value that is several Set-Cookie headers, or has the header name pasted."""
    findings = []
    prefix = _PREFIX.match(header)
    if prefix:
        name = header[prefix.end() :].split("=", 1)[0].strip()
        findings.append(
            finding(
                "set_cookie_prefix_pasted",
                "set_cookie",
                f'The value starts with "{prefix.group().strip()}", the header\'s name: '
                f'browsers would store a cookie named "{header.split("=", 1)[0]}". Give the '
                f'value alone, from "{name}=".',
            )
        )
    if "\n" in header or "\r" in header:
        lines = re.split(r"\r?\n|\r", header)
        if _LINE_JOIN.search(header):
            findings.append(
                finding(
                    "set_cookie_newline_joined",
                    "set_cookie",
                    f"This value is {len([line for line in lines if line.strip()])} Set-Cookie "
                    f"headers joined with a line break ({_parts(lines)}), as a log, a copy of "
                    "DevTools' headers or a proxy joins them; a browser reads each header on its "
                    "own and never sees a line break inside one. Give each as its own value.",
                )
            )
        return findings
    joins = list(_COMMA_JOIN.finditer(header))
    if joins:
        cuts = [0, *(match.start() for match in joins), len(header)]
        pieces = [header[start:end].lstrip(", \t") for start, end in itertools.pairwise(cuts)]
        findings.append(
            finding(
                "set_cookie_comma_joined",
                "set_cookie",
                f'This value looks like {len(pieces)} Set-Cookie headers joined with ", " '
                f"({_parts(pieces)}): fetch's headers.get('set-cookie') and some proxies join "
                "them so. Browsers read it as one cookie and the others end up inside its value "
                "or attributes. Read them with headers.getSetCookie() and give each on its own.",
            )
        )
    return findings
