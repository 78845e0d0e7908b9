"""cookierules.paths: default-path and path-match (RFC 6265bis §5.1.4, wpt cookies/path/)."""

from __future__ import annotations

import pytest

from cookierules.paths import canonical_path, cookie_path, default_path, path_matches


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [
        ("", "/"),
        ("no-slash", "/"),
        ("/", "/"),
        ("/page", "/"),
        ("/docs/", "/docs"),
        ("/docs/page", "/docs"),
        ("/a/b/c", "/a/b"),
    ],
)
def test_default_path(request_path: str, expected: str):
    assert default_path(request_path) == expected


# Request paths, each with the cookie paths that match it and those that do not.
PATH_MATCHES = {
    "/docs": (["/docs", "/"], ["/docs/"]),
    "/docs/": (["/docs", "/docs/", "/"], []),
    "/docs/page": (["/docs", "/docs/", "/"], ["/page"]),
    "/": (["/"], ["/docs"]),
    "/anything": (["/"], ["/any"]),
    # wpt cookies/path/match-segment-boundaries: a prefix must end at a segment boundary.
    "/docsearch": ([], ["/docs"]),
    "/doc": ([], ["/docs"]),
    "/Docs": ([], ["/docs"]),
}


@pytest.mark.parametrize(
    ("request_path", "cookie_path_", "matches"),
    [
        (request_path, path, matches)
        for request_path, (matching, other) in PATH_MATCHES.items()
        for matches, paths in ((True, matching), (False, other))
        for path in paths
    ],
)
def test_path_match(request_path: str, cookie_path_: str, matches: bool):
    assert path_matches(request_path, cookie_path_) is matches


@pytest.mark.parametrize(
    ("attribute", "request_path", "expected"),
    [
        (None, "/docs/page", "/docs"),
        ("", "/docs/page", "/docs"),
        ("relative", "/docs/page", "/docs"),
        ("/x", "/docs/page", "/x"),
    ],
)
def test_cookie_path_uses_the_attribute_only_when_it_starts_with_a_slash(
    attribute: str | None, request_path: str, expected: str
):
    assert cookie_path(attribute, request_path) == expected


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("", "/"),
        ("/", "/"),
        ("/a/b/../c", "/a/c"),
        ("/a/b/..", "/a/"),
        ("/a/..", "/"),
        ("/..", "/"),
        ("/a/./b/.", "/a/b/"),
        ("/a/%2E%2e/b", "/b"),
        ("/a\\b", "/a/b"),
        ("/dir one/é", "/dir%20one/%C3%A9"),
        ('/q"<>`{}', "/q%22%3C%3E%60%7B%7D"),
        ("/%20/%zz", "/%20/%zz"),
        ("/\ud800", "/%EF%BF%BD"),
    ],
)
def test_a_url_path_as_the_url_parser_writes_it(path: str, canonical: str):
    # WHATWG URL's path state, as Chromium's url/url_canon_path.cc applies it.
    assert canonical_path(path) == canonical
