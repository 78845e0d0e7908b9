"""Whether the browser that sent a request keeps the cookie its response sets.

A browser says where a request comes from: ``Sec-Fetch-Site``, ``Sec-Fetch-Mode`` and
``Sec-Fetch-Dest`` (Fetch Metadata, https://w3c.github.io/webappsec-fetch-metadata/),
``Origin``, and, on a request in a third-party context, ``Sec-Fetch-Storage-Access`` (Storage
Access Headers, https://privacycg.github.io/storage-access-headers/). With the request's
scheme, that is the context the storage rules (``storage.context_warnings``) need; the
findings they make then decide the outcome. A request that says nothing of its context (curl,
a server) gets ``unknown``, unless a rule that holds in any context drops the cookie.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cookierules.findings import Finding
from cookierules.sites import is_cross_site

Outcome = Literal["stored", "rejected", "unknown"]
OUTCOMES: tuple[Outcome, ...] = ("stored", "rejected", "unknown")

# Findings after which no browser keeps the cookie, whatever the page that asked.
_DROPPED_IN_ANY_CONTEXT = frozenset({"secure_from_insecure_origin", "max_age_zero"})
# Findings made only once the request is known to come from another site: dropped then.
_DROPPED_CROSS_SITE = frozenset(
    {"samesite_lax_cross_site", "samesite_strict_cross_site", "samesite_unspecified_cross_site"}
)
THIRD_PARTY = "third_party_unpartitioned"


@dataclass(frozen=True, slots=True)
class FetchMetadata:
    """What a request says of the page that sent it (each None when the header is absent)."""

    origin: str | None = None
    site: str | None = None  # Sec-Fetch-Site: same-origin, same-site, cross-site or none
    mode: str | None = None  # Sec-Fetch-Mode: cors, navigate, no-cors, same-origin...
    dest: str | None = None  # Sec-Fetch-Dest: document for a top-level navigation
    storage_access: str | None = None  # Sec-Fetch-Storage-Access: none, inactive or active

    def cross_site(self, scheme: str, host: str) -> bool | None:
        """Whether the response sets its cookies in a cross-site context; None: not said."""
        if self.mode == "navigate" and self.dest == "document":
            # RFC 6265bis §5.2.1: a top-level navigation's site for cookies is its own URL.
            return False
        if self.storage_access is not None:
            # Storage Access Headers §3: sent only on requests in a third-party context.
            return True
        if self.site is not None:
            return self.site == "cross-site"
        if self.origin is not None:
            return is_cross_site(self.origin, scheme, host)
        return None


@dataclass(frozen=True, slots=True)
class Judgement:
    outcome: Outcome
    decided_by: list[str]  # the codes of the findings that decide it


def judge_outcome(
    findings: Iterable[Finding], metadata: FetchMetadata, cross_site: bool | None
) -> Judgement:
    """Whether the browser keeps a cookie that these context findings were made for."""
    codes = [item.code for item in findings]
    dropped = [code for code in codes if code in _DROPPED_IN_ANY_CONTEXT | _DROPPED_CROSS_SITE]
    if dropped:
        return Judgement("rejected", dropped)
    if cross_site is None:
        return Judgement("unknown", [])
    if THIRD_PARTY in codes:
        # Storage Access Headers §3: "none" says this context has no unpartitioned cookies,
        # "active" that it has them; without the header the browser's settings decide.
        verdict = {"none": "rejected", "active": "stored"}.get(metadata.storage_access or "")
        return Judgement(verdict or "unknown", [] if verdict == "stored" else [THIRD_PARTY])
    return Judgement("stored", [])
