"""A cookie's lifetime: Max-Age and Expires, and the 400-day cap (RFC 6265bis §5.6.1, §5.6.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cookierules.cookie import Cookie
from cookierules.findings import Finding, finding

# RFC 6265bis §5.6.1 and §5.6.2: browsers cap a cookie's lifetime at 400 days.
MAX_LIFETIME = timedelta(days=400)
MAX_AGE_LIMIT = int(MAX_LIFETIME.total_seconds())
DELETE_INSTEAD = "to remove a cookie, use DELETE /cookies/{name}"
CAPPED = "browsers cap cookies at 400 days"
# A longer lifetime asked of POST /cookies is refused rather than sent and silently cut: the
# finding is "rejected" (the API refuses the request), where POST /lint, which describes a
# header as browsers keep it, says "attribute_ignored" (the cookie is stored, cut).
REFUSED = "rejected"
# RFC 6265bis §5.6.2: a Max-Age of zero or less expires the cookie at "the earliest
# representable date and time".
EARLIEST = datetime.min.replace(tzinfo=UTC)
# The latest moment a datetime can hold: an expiry past it is clamped there, never an error.
LATEST = datetime.max.replace(tzinfo=UTC)


def _later(now: datetime, lifetime: timedelta) -> datetime:
    """``now + lifetime``, or ``LATEST`` where the sum is past the last representable moment."""
    try:
        return now + lifetime
    except OverflowError:
        return LATEST


@dataclass(frozen=True, slots=True)
class Expiry:
    """When browsers expire a cookie, and whether the 400-day cap cut its lifetime."""

    at: datetime | None  # None: a session cookie, gone when the browser closes
    capped: bool


def capped_expiry(expires: datetime, now: datetime) -> Expiry:
    """RFC 6265bis §5.6.1: an Expires later than 400 days from now is cut to that."""
    limit = _later(now, MAX_LIFETIME)
    return Expiry(limit, True) if expires > limit else Expiry(expires, False)


def expiry_of(cookie: Cookie, now: datetime) -> Expiry:
    """When browsers expire ``cookie`` set at ``now``: Max-Age wins over Expires (§5.7)."""
    if cookie.max_age is not None:
        # RFC 6265bis §5.6.2: delta-seconds capped at 400 days; zero or less is at once.
        if cookie.max_age <= 0:
            return Expiry(EARLIEST, False)
        capped = cookie.max_age > MAX_AGE_LIMIT
        return Expiry(_later(now, timedelta(seconds=min(cookie.max_age, MAX_AGE_LIMIT))), capped)
    if cookie.expires is not None:
        return capped_expiry(cookie.expires, now)
    return Expiry(None, False)


def check_max_age(max_age: int) -> list[Finding]:
    """Max-Age from 0 to 400 days: a negative one deletes, a longer one is cut."""
    if max_age < 0:
        return [
            finding(
                "already_expired",
                "max_age",
                f"Must be greater than or equal to 0; {DELETE_INSTEAD}.",
            )
        ]
    if max_age > MAX_AGE_LIMIT:
        return [
            finding(
                "lifetime_over_400_days",
                "max_age",
                f"Must be less than or equal to {MAX_AGE_LIMIT} (400 days); {CAPPED}.",
                severity=REFUSED,
            )
        ]
    return []


def check_expires(expires: datetime, now: datetime) -> list[Finding]:
    """An Expires date must lie in the future and within the 400-day cap."""
    if expires <= now:
        return [finding("already_expired", "expires", f"expires is in the past; {DELETE_INSTEAD}.")]
    # RFC 6265bis §5.6.1: browsers cap Expires at 400 days from now.
    if capped_expiry(expires, now).capped:
        return [
            finding(
                "lifetime_over_400_days",
                "expires",
                f"expires is more than 400 days ahead; {CAPPED}.",
                severity=REFUSED,
            )
        ]
    return []
