"""Names, values and attribute values (RFC 6265bis §4.1.1, §5.6)."""

from __future__ import annotations

import pytest

from cookierules.grammar import (
    MAX_ATTRIBUTE_BYTES,
    MAX_COOKIE_BYTES,
    check_attribute_length,
    check_name,
    check_name_value_size,
    check_path,
    check_value_length,
)


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


NAMES = {
    "letters": ("theme", []),
    "every tchar": ("!#$%&'*+-.^_`|~09AZaz", []),
    "empty": ("", ["name_not_token"]),
    "space": ("a b", ["name_not_token"]),
    "equals": ("a=b", ["name_not_token"]),
    "quote": ('a"b', ["name_not_token"]),
    "non-ASCII": ("é", ["name_not_token"]),
    "NUL": ("a\0b", ["name_disallowed_character"]),
    "DEL": ("a\x7fb", ["name_disallowed_character"]),
    "line feed": ("a\nb", ["name_disallowed_character"]),
    "too long": ("n" * (MAX_COOKIE_BYTES + 1), ["name_value_too_large"]),
}


@pytest.mark.parametrize(("name", "expected"), NAMES.values(), ids=NAMES.keys())
def test_a_name_is_a_token(name, expected):
    findings = check_name(name)
    assert codes(findings) == expected
    assert all(finding.field == "name" for finding in findings)


@pytest.mark.parametrize(
    ("name", "wire", "expected"),
    [
        ("n", "v" * (MAX_COOKIE_BYTES - 1), []),
        ("n", "v" * MAX_COOKIE_BYTES, ["name_value_too_large"]),
        ("nn", "%C3%A9" * 683, ["name_value_too_large"]),
    ],
)
def test_name_and_value_fit_in_4096_bytes(name, wire, expected):
    findings = check_name_value_size(name, wire)
    assert codes(findings) == expected
    if findings:
        assert f"take {len(name) + len(wire)} bytes" in findings[0].message


def test_a_value_over_4096_characters_is_over_in_bytes():
    assert codes(check_value_length("v" * MAX_COOKIE_BYTES)) == []
    assert codes(check_value_length("v" * (MAX_COOKIE_BYTES + 1))) == ["name_value_too_large"]


PATHS = {
    "root": ("/", []),
    "printable ASCII": ("/a b/~!@$&*()[]{}", []),
    "1024 bytes": ("/" + "p" * (MAX_ATTRIBUTE_BYTES - 1), []),
    "1025 bytes": ("/" + "p" * MAX_ATTRIBUTE_BYTES, ["attribute_too_large"]),
    "relative": ("app", ["path_invalid"]),
    "semicolon": ("/a;b", ["path_invalid"]),
    "trailing space": ("/a ", ["path_invalid"]),
    "non-ASCII": ("/é", ["path_invalid"]),
    "control character": ("/a\tb", ["path_invalid"]),
}


@pytest.mark.parametrize(("path", "expected"), PATHS.values(), ids=PATHS.keys())
def test_a_path_is_printable_ascii_from_the_root(path, expected):
    assert codes(check_path(path)) == expected


def test_an_attribute_is_measured_in_utf8_bytes():
    assert codes(check_attribute_length("domain", "é" * 512)) == []
    [finding] = check_attribute_length("domain", "é" * 513)
    assert (finding.code, finding.field, finding.severity) == (
        "attribute_too_large",
        "domain",
        "attribute_ignored",
    )
