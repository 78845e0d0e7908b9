"""The catalogue: every code has a severity, a source and, where cited, Chromium's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cookierules.findings import CODES, RULES, SEVERITIES, finding, rule_table

# The reasons of net/cookies/cookie_inclusion_status.h (Chromium) that the catalogue cites.
CHROMIUM_REASONS = {
    "EXCLUDE_SECURE_ONLY",
    "EXCLUDE_SAMESITE_STRICT",
    "EXCLUDE_SAMESITE_LAX",
    "EXCLUDE_SAMESITE_NONE_INSECURE",
    "EXCLUDE_INVALID_DOMAIN",
    "EXCLUDE_INVALID_PREFIX",
    "EXCLUDE_INVALID_PARTITIONED",
    "EXCLUDE_NAME_VALUE_PAIR_EXCEEDS_MAX_SIZE",
    "EXCLUDE_DISALLOWED_CHARACTER",
    "EXCLUDE_THIRD_PARTY_PHASEOUT",
    "WARN_ATTRIBUTE_VALUE_EXCEEDS_MAX_SIZE",
    # Cited by the codes only POST /lint reports.
    "EXCLUDE_SAMESITE_UNSPECIFIED_TREATED_AS_LAX",
    "EXCLUDE_NO_COOKIE_CONTENT",
    "EXCLUDE_DOMAIN_NON_ASCII",
    "EXCLUDE_HTTP_ONLY",
    "EXCLUDE_OVERWRITE_HTTP_ONLY",
    "EXCLUDE_OVERWRITE_SECURE",
    "EXCLUDE_DOMAIN_MISMATCH",
    "EXCLUDE_NOT_ON_PATH",
    "EXCLUDE_AMBIGUOUS_SERIALIZATION",
    "WARN_DOMAIN_NON_ASCII",
    # Cited by the codes only POST /replay reports.
    "EXCLUDE_USER_PREFERENCES",
    "WARN_SAMESITE_UNSPECIFIED_LAX_ALLOW_UNSAFE",
}
ENGINE = Path(__file__).resolve().parent.parent / "cookierules"
API = ENGINE.parent / "api"
SCHEMAS = ENGINE.parent / "schemas"


@pytest.mark.parametrize("code", CODES)
def test_every_code_is_well_formed(code):
    rule = RULES[code]
    assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code)
    assert rule.code == code
    assert rule.severity in SEVERITIES
    assert rule.chromium is None or rule.chromium in CHROMIUM_REASONS
    # Only the API's own request rules go without a specification.
    assert rule.spec is None or rule.spec.startswith(("RFC 6265bis §", "CHIPS", "Fetch §", "HAR "))
    assert rule.summary and rule.effect


def test_every_code_is_reported_somewhere():
    reporters = [*ENGINE.glob("*.py"), *API.glob("*.py"), *SCHEMAS.glob("*.py")]
    source = "".join(path.read_text() for path in reporters if path.name != "findings.py")
    assert [code for code in CODES if f'"{code}"' not in source] == []


def test_a_finding_takes_spec_and_chromium_from_the_catalogue():
    made = finding("samesite_none_requires_secure", "samesite", "Needs Secure.")
    assert (made.spec, made.chromium, made.severity) == (
        "RFC 6265bis §5.7 step 15",
        "EXCLUDE_SAMESITE_NONE_INSECURE",
        "rejected",
    )
    assert finding("max_age_zero", "max_age", "Gone.", severity="rejected").severity == "rejected"


def test_a_rule_table_has_a_row_per_code():
    table = rule_table(["prefix_forbids_domain", "max_age_zero"]).splitlines()
    assert len(table) == 4
    assert "`prefix_forbids_domain` | `EXCLUDE_INVALID_PREFIX` |" in table[2]
    assert table[3].endswith("| `max_age_zero` |  |")
