"""Max-Age and Expires, and the 400-day cap (RFC 6265bis §5.6.1, §5.6.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cookierules.expiry import MAX_AGE_LIMIT, check_expires, check_max_age

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("max_age", "codes"),
    [
        (0, []),
        (MAX_AGE_LIMIT, []),
        (MAX_AGE_LIMIT + 1, ["lifetime_over_400_days"]),
        (-1, ["already_expired"]),
    ],
)
def test_max_age_from_zero_to_400_days(max_age, codes):
    assert [finding.code for finding in check_max_age(max_age)] == codes


@pytest.mark.parametrize(
    ("delta", "codes"),
    [
        (timedelta(seconds=1), []),
        (timedelta(days=400), []),
        (timedelta(days=400, seconds=1), ["lifetime_over_400_days"]),
        (timedelta(0), ["already_expired"]),
        (timedelta(days=-1), ["already_expired"]),
    ],
)
def test_expires_in_the_future_within_400_days(delta, codes):
    findings = check_expires(NOW + delta, NOW)
    assert [finding.code for finding in findings] == codes
    assert all(finding.field == "expires" for finding in findings)


def test_one_cap_for_both():
    assert MAX_AGE_LIMIT == 400 * 24 * 3600
