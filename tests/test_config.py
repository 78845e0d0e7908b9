"""Configuration from COOKIE_API_* environment variables, proxies and the console script."""

from __future__ import annotations

import pytest

from api import create_app
from api.cli import docs_url, parse_args


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("COOKIE_API_SECRET_KEY", "from-env")
    monkeypatch.setenv("COOKIE_API_SECRET_KEY_FALLBACKS", '["older"]')
    monkeypatch.setenv("COOKIE_API_CORS_ORIGINS", '["https://app.example"]')
    monkeypatch.setenv("COOKIE_API_MAX_CONTENT_LENGTH", "1000")
    monkeypatch.setenv("COOKIE_API_HIDDEN_COOKIES", '["session"]')
    client = create_app().test_client(use_cookies=False)

    signed = client.post("/cookies", json={"name": "a", "value": "b", "signed": True})
    assert signed.status_code == 201
    assert client.post("/cookies", json={"name": "a", "value": "b" * 2000}).status_code == 413
    listed = client.get(
        "/cookies", headers={"Cookie": "session=1; x=2", "Origin": "https://app.example"}
    )
    assert [c["name"] for c in listed.get_json()["cookies"]] == ["x"]
    assert listed.headers["Access-Control-Allow-Origin"] == "https://app.example"


# Each row: the environment, and the variable the refusal must name.
BAD_KEYS = {
    "true becomes a boolean": ({"COOKIE_API_SECRET_KEY": "true"}, "COOKIE_API_SECRET_KEY"),
    "a number": ({"COOKIE_API_SECRET_KEY": "12345"}, "COOKIE_API_SECRET_KEY"),
    "empty": ({"COOKIE_API_SECRET_KEY": '""'}, "COOKIE_API_SECRET_KEY"),
    "an empty fallback": (
        {"COOKIE_API_SECRET_KEY": "k" * 32, "COOKIE_API_SECRET_KEY_FALLBACKS": '[""]'},
        "COOKIE_API_SECRET_KEY_FALLBACKS",
    ),
    "a fallback that is no string": (
        {"COOKIE_API_SECRET_KEY": "k" * 32, "COOKIE_API_SECRET_KEY_FALLBACKS": "[1]"},
        "COOKIE_API_SECRET_KEY_FALLBACKS",
    ),
}


@pytest.mark.parametrize(("environment", "named"), BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_secret_key_that_is_empty_or_no_string_stops_the_start(monkeypatch, environment, named):
    """COOKIE_API_SECRET_KEY_FALLBACKS='[""]' let anyone forge signatures, the salt being public."""
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=named):
        create_app()


def test_a_quoted_number_is_a_string_key(monkeypatch):
    monkeypatch.setenv("COOKIE_API_SECRET_KEY", '"123456789012345678901234567890123"')
    client = create_app().test_client(use_cookies=False)
    response = client.post("/cookies", json={"name": "a", "value": "b", "signed": True})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"SECRET_KEY": "short"}, "COOKIE_API_SECRET_KEY is 5 bytes long"),
        (
            {"SECRET_KEY": "k" * 32, "SECRET_KEY_FALLBACKS": ["old"]},
            "COOKIE_API_SECRET_KEY_FALLBACKS is 3 bytes long",
        ),
    ],
)
def test_a_short_secret_key_is_warned_of_at_start(caplog, config, named):
    with caplog.at_level("WARNING"):
        create_app(config)
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert named in record.getMessage()


def test_a_long_secret_key_starts_quietly(caplog):
    with caplog.at_level("WARNING"):
        create_app({"SECRET_KEY": "k" * 32, "SECRET_KEY_FALLBACKS": ["o" * 32]})
    assert caplog.records == []


def test_the_test_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("COOKIE_API_MAX_CONTENT_LENGTH", "10")
    client = create_app({"MAX_CONTENT_LENGTH": 1000}).test_client(use_cookies=False)
    assert client.post("/cookies", json={"name": "a", "value": "b"}).status_code == 201


@pytest.mark.parametrize("key", ["SECRET_KEY_FALLBACKS", "HIDDEN_COOKIES", "CORS_ORIGINS"])
def test_list_settings_must_be_lists_of_strings(key):
    with pytest.raises(ValueError, match=f"COOKIE_API_{key}"):
        create_app({key: "not-a-list"})


@pytest.mark.parametrize("key", ["MAX_CONTENT_LENGTH", "TRUSTED_PROXIES"])
@pytest.mark.parametrize("value", ["two", -1, True, 1.5])
def test_count_settings_must_be_whole_numbers(key, value):
    with pytest.raises(ValueError, match=f"COOKIE_API_{key}"):
        create_app({key: value})


FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "shop.example.com",
}


def test_trusted_proxy_supplies_scheme_and_host():
    client = create_app({"TRUSTED_PROXIES": 1}).test_client(use_cookies=False)
    body = {"name": "a", "value": "b", "domain": "example.com"}
    response = client.post("/cookies", json=body, headers=FORWARDED)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["secure"] is True


def test_forwarded_headers_are_ignored_without_trusted_proxies(client):
    body = {"name": "a", "value": "b", "domain": "example.com"}
    response = client.post("/cookies", json=body, headers=FORWARDED)

    assert response.status_code == 400
    assert "does not match the request host" in response.get_json()["errors"]["domain"][0]


def test_console_script_defaults():
    args = parse_args([])
    assert (args.host, args.port, args.workers) == ("127.0.0.1", 8000, 1)


def test_console_script_refuses_zero_workers(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--workers", "0"])
    assert "--workers" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "url"),
    [("127.0.0.1", "http://127.0.0.1:8000/docs"), ("::1", "http://[::1]:8000/docs")],
)
def test_docs_url_printed_at_start(host, url):
    assert docs_url(host, 8000) == url
