"""The wire encoding is exactly JavaScript's encodeURIComponent, checked against Node itself."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cookierules.encoding import check_encodable, decode_value, encode_value
from tests.conftest import require

TRICKY = [
    '"',
    ";",
    ",",
    "\\",
    " ",
    "\t",
    "%",
    "%25",
    "é",
    "🍪",
    "\x00",
    "\x7f",
    "~!*'()",
    "+",
    "=&?#/",
]


def random_strings(count: int, seed: int = 6265) -> list[str]:
    """Strings over all of Unicode but the surrogates, the same on every run."""
    rng = random.Random(seed)

    def char() -> str:
        while True:
            code = rng.choice([rng.randrange(0x80), rng.randrange(0x800), rng.randrange(0x110000)])
            if not 0xD800 <= code <= 0xDFFF:
                return chr(code)

    return ["".join(char() for _ in range(rng.randrange(12))) for _ in range(count)]


def node_encode(values: list[str]) -> list[str]:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    script = (
        "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>"
        "console.log(JSON.stringify(JSON.parse(s).map(encodeURIComponent))))"
    )
    result = subprocess.run(
        [node, "-e", script], input=json.dumps(values), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_encoding_matches_encode_uri_component():
    values = TRICKY + random_strings(500)
    assert [encode_value(v) for v in values] == node_encode(values)


def test_decoding_inverts_encoding():
    for value in TRICKY + random_strings(500):
        assert decode_value(encode_value(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_unicode_value_round_trips_through_the_api(value):
    from api import create_app

    client = create_app({"SECRET_KEY": "k"}).test_client(use_cookies=False)
    for signed in (False, True):
        response = client.post("/cookies", json={"name": "v", "value": value, "signed": signed})
        assert response.status_code == 201
        pair = response.headers["Set-Cookie"].split(";")[0]
        cookies = client.get("/cookies", headers={"Cookie": pair}).get_json()["cookies"]
        assert cookies == [
            {"name": "v", "value": value, "signature": "valid" if signed else "none"}
        ]


def test_a_value_that_does_not_decode_is_returned_as_it_is():
    assert decode_value("%FF%") == "%FF%"
    assert decode_value("plain") == "plain"


@pytest.mark.parametrize(("value", "codes"), [("é🍪", []), ("a\ud800b", ["value_not_unicode"])])
def test_only_well_formed_unicode_can_be_encoded(value, codes):
    findings = check_encodable(value)
    assert [finding.code for finding in findings] == codes
    if findings:
        assert "U+D800" in findings[0].message
