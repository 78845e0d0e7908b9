"""Cookie paths: the default-path and path-match algorithms (RFC 6265bis §5.1.4), on a URL path
as the URL parser writes it."""

from __future__ import annotations

import re

# WHATWG URL: the path percent-encode set (C0 controls, space, ", #, <, >, ?, `, {, } and all
# beyond ASCII), with DEL.
_PATH_ESCAPED = re.compile(r'[\x00-\x20"#<>?`{}\x7f-\U0010ffff]')
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# WHATWG URL: single-dot and double-dot path segments, "%2e" standing for "." in any case.
_DOT_SEGMENTS = {".": 1, "%2e": 1, "..": 2, ".%2e": 2, "%2e.": 2, "%2e%2e": 2}


def canonical_path(path: str) -> str:
    """A URL's path as the URL parser writes it before cookies see it (RFC 6265bis §5.1.4 uses
    the request's uri-path; Chromium's GURL canonicalises it): "." and ".." segments resolved,
    "\\" read as "/", and spaces, quotes and non-ASCII percent-encoded as UTF-8.
    """
    pieces = path.replace("\\", "/").split("/")[1:] or [""]
    segments: list[str] = []
    for index, piece in enumerate(pieces):
        dots = _DOT_SEGMENTS.get(piece.lower())
        if dots == 2 and segments:
            segments.pop()
        if dots is None:
            segments.append(_PATH_ESCAPED.sub(_percent_encoded, piece))
        elif index == len(pieces) - 1:
            segments.append("")
    return "/" + "/".join(segments)


def _percent_encoded(match: re.Match[str]) -> str:
    character = _LONE_SURROGATE.sub("\ufffd", match.group())
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8"))


def default_path(request_path: str) -> str:
    """The path a cookie gets when its Set-Cookie has no usable Path attribute (§5.1.4)."""
    # The uri-path is empty or does not start with "/": "/".
    if not request_path.startswith("/"):
        return "/"
    # Up to, but not including, the right-most "/"; "/" when that is the only one.
    cut = request_path.rfind("/")
    return request_path[:cut] if cut > 0 else "/"


def path_matches(request_path: str, cookie_path: str) -> bool:
    """Whether a request path path-matches a cookie path (§5.1.4)."""
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    # A prefix that ends with "/", or is followed by "/" in the request path.
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def cookie_path(path_attribute: str | None, request_path: str) -> str:
    """The path a cookie is stored with: its Path attribute when it starts with "/" (§5.6.4)."""
    if path_attribute and path_attribute.startswith("/"):
        return path_attribute
    return default_path(request_path)
