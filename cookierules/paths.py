"""Cookie paths: the default-path and path-match algorithms (RFC 6265bis §5.1.4)."""

from __future__ import annotations


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
