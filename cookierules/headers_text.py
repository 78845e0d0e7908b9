"""A response's raw header block as developers copy it: ``curl -i`` output, DevTools' raw
headers, or lines starting ``Set-Cookie:``.

Each ``Set-Cookie:`` line is one header (RFC 9110 §5.3: Set-Cookie is never combined), so each
becomes one value, whatever the next line holds.
"""

from __future__ import annotations

import re

_LINES = re.compile(r"\r\n|\n|\r")
_STATUS_LINE = re.compile(r"HTTP/[\d.]+\s+(\d{3})\b", re.I)


def read_headers_text(text: str) -> tuple[int | None, list[str], str | None]:
    """The status, the Set-Cookie values and the Location of the first final response in
    ``text``; a 1xx block (``100 Continue``) is skipped, and what follows the first final
    response's headers (its body, a redirect's next response) is left out."""
    status = None
    set_cookie: list[str] = []
    location = None
    for line in _LINES.split(text):
        if not line.strip():
            if status is not None and status >= 200:
                break  # the end of the final response's headers
            continue
        status_line = _STATUS_LINE.match(line.strip())
        if status_line:
            status = int(status_line.group(1))
            continue
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name = name.strip().lower()
        if name == "" and value.startswith("status:"):
            # HTTP/2 as DevTools shows it: ":status: 302".
            status = int(value[len("status:") :].strip()[:3] or 0) or status
        elif name == "set-cookie":
            set_cookie.append(value.strip(" \t"))
        elif name == "location":
            location = value.strip(" \t")
    return status, set_cookie, location
