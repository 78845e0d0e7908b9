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


def test_a_numeric_secret_key_from_the_environment_still_signs(monkeypatch):
    monkeypatch.setenv("COOKIE_API_SECRET_KEY", "12345")
    client = create_app().test_client(use_cookies=False)
    response = client.post("/cookies", json={"name": "a", "value": "b", "signed": True})
    assert response.status_code == 201


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
