"""Signed values: an HMAC over name and encoded value, read back as valid, invalid or none."""

from __future__ import annotations

import pytest

from cookierules.signing import make_signer, read_wire_value, sign_value

SIGNER = make_signer("new-key", ["old-key"])


def test_a_signed_value_reads_back_valid():
    wire = sign_value(SIGNER, "cart", "a%20b")
    assert wire.startswith("$a%20b.")
    assert read_wire_value("cart", wire, SIGNER) == ("a b", "valid")


def test_the_signature_binds_the_name():
    wire = sign_value(SIGNER, "cart", "x")
    assert read_wire_value("other", wire, SIGNER) == (None, "invalid")


def test_a_fallback_key_still_verifies():
    old = sign_value(make_signer("old-key", []), "cart", "x")
    assert read_wire_value("cart", old, SIGNER) == ("x", "valid")
    assert read_wire_value("cart", old, make_signer("new-key", [])) == (None, "invalid")


@pytest.mark.parametrize(
    ("wire", "read"),
    [
        ("$5", ("$5", "none")),
        ("plain%20value", ("plain value", "none")),
        ("$x." + "c" * 27, (None, "invalid")),
    ],
)
def test_only_the_signed_shape_counts_as_signed(wire, read):
    assert read_wire_value("a", wire, SIGNER) == read


def test_without_a_key_a_signed_shape_is_invalid():
    assert read_wire_value("a", "$x." + "c" * 27, None) == (None, "invalid")
