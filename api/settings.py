"""What the resources need from configuration: read and checked once, at start."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from flask import Flask
from itsdangerous import Signer

from cookierules.signing import make_signer

# Back ends read names loosely: PHP turns "." and " " into "_", and some frameworks look names
# up without regard to case. A hidden name must hide every name such a back end takes for it.
_LOOSE_NAME = str.maketrans({".": "_", " ": "_"})


def loose_name(name: str) -> str:
    """A name or pattern as back ends may read it: lower case, with ".", " " and "_" alike."""
    return name.lower().translate(_LOOSE_NAME)


def hidden_names_pattern(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern for every glob, matched against ``loose_name`` of a cookie name."""
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(loose_name(pattern)) for pattern in patterns))


@dataclass(frozen=True)
class CookieSettings:
    """The signer for signed cookies and the names the API must leave alone."""

    signer: Signer | None
    hidden: re.Pattern[str] | None

    def is_hidden(self, name: str) -> bool:
        """Whether the API must never read, set or delete a cookie of this name, as it is or
        as back ends that URL-decode cookie names read it ("sess%69on" is "session" to PHP
        before 7.4.31, ASP.NET Core 5 and Rack 1.x)."""
        if self.hidden is None:
            return False
        if self.hidden.fullmatch(loose_name(name)) is not None:
            return True
        if "%" not in name and "+" not in name:
            return False
        return self.hidden.fullmatch(loose_name(unquote_plus(name))) is not None


def string_list(app: Flask, key: str) -> list[str]:
    """A COOKIE_API_ setting that must be a JSON list of strings."""
    value = app.config[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"COOKIE_API_{key} must be a JSON list of strings, got {value!r}")
    return value


# HMAC-SHA1 keys shorter than its 20-byte output, or guessable words, weaken the signature;
# 32 random bytes is what `python -c "import secrets; print(secrets.token_urlsafe(32))"` gives.
MIN_KEY_BYTES = 32


def signing_key(app: Flask, setting: str, key: object) -> str | bytes:
    """A secret key as given: a non-empty string (or bytes, from Python); ValueError otherwise.

    COOKIE_API_* values are read as JSON, so "true" or "12345" would become a boolean or a
    number; a key must be said as a string, and an empty one would let anyone forge
    signatures, since the salt is public.
    """
    if not isinstance(key, str | bytes):
        raise ValueError(
            f"{setting} must be a string, not the JSON value {json.dumps(key)}: "
            "use a long random key, written as a JSON string if it looks like a number"
        )
    if not key:
        raise ValueError(f"{setting} must not be empty: anyone could forge signatures")
    size = len(key.encode() if isinstance(key, str) else key)
    if size < MIN_KEY_BYTES:
        app.logger.warning(
            "%s is %d bytes long; use at least %d random bytes, or signatures can be guessed",
            setting,
            size,
            MIN_KEY_BYTES,
        )
    return key


def load_settings(app: Flask) -> CookieSettings:
    """The settings of ``app``; ValueError names a setting that is wrong."""
    secret_key = app.config["SECRET_KEY"]
    if secret_key is not None:
        secret_key = signing_key(app, "COOKIE_API_SECRET_KEY", secret_key)
    fallbacks = [
        signing_key(app, "COOKIE_API_SECRET_KEY_FALLBACKS", key)
        for key in string_list(app, "SECRET_KEY_FALLBACKS")
    ]
    signer = make_signer(secret_key, fallbacks) if secret_key is not None else None
    hidden = hidden_names_pattern(string_list(app, "HIDDEN_COOKIES"))
    return CookieSettings(signer=signer, hidden=hidden)


def cookie_settings(app: Flask) -> CookieSettings:
    """The settings loaded at start."""
    return app.extensions["cookie_api"]
