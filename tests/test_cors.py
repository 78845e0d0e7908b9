"""CORS with credentials: listed origins only, never "*", always Vary: Origin."""

from __future__ import annotations

import pytest

from api import create_app

APP = "https://app.example"
OTHER = "https://evil.example"


@pytest.fixture(params=[[APP], [APP, "http://localhost:5173"]], ids=["one origin", "two origins"])
def cors_client(request):
    return create_app({"CORS_ORIGINS": request.param}).test_client(use_cookies=False)


def preflight(client, origin: str, method: str = "POST"):
    return client.options(
        "/cookies",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_listed_origin_gets_credentialed_cors(cors_client):
    response = cors_client.post(
        "/cookies", json={"name": "a", "value": "b"}, headers={"Origin": APP}
    )

    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in response.headers["Vary"]
    assert "Location" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_listed_origin_preflight_allows_json_posts_and_deletes(cors_client, method):
    response = preflight(cors_client, APP, method)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert method in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize("origin", [OTHER, "null", APP + ".evil.example", APP.upper()])
def test_other_origins_get_no_cors_headers(cors_client, origin):
    for response in (
        preflight(cors_client, origin),
        cors_client.get("/cookies", headers={"Origin": origin}),
    ):
        assert not [k for k, _ in response.headers.items() if k.startswith("Access-Control-")]
        # A cache must not serve this answer to the listed origin either.
        assert "Origin" in response.headers["Vary"]


def test_errors_carry_cors_headers_for_listed_origins(cors_client):
    response = cors_client.post("/cookies", json={}, headers={"Origin": APP})

    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == APP


def test_no_origins_by_default(client):
    response = client.get("/cookies", headers={"Origin": APP})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_simple_cross_site_form_cannot_set_a_cookie():
    client = create_app({"CORS_ORIGINS": [APP]}).test_client(use_cookies=False)
    response = client.post("/cookies", data={"name": "a", "value": "b"}, headers={"Origin": OTHER})

    assert response.status_code == 415
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "configured", ["https://App.Example", "https://app.example:443", "https://app.example/"]
)
def test_configured_origins_match_as_browsers_send_them(configured):
    client = create_app({"CORS_ORIGINS": [configured]}).test_client(use_cookies=False)
    response = client.get("/cookies", headers={"Origin": APP})
    assert response.headers["Access-Control-Allow-Origin"] == APP


@pytest.mark.parametrize(
    "origins", [["*"], ["https://app.example/path"], ["app.example"], [7], ["http://a:port"]]
)
def test_bad_origin_settings_fail_at_start(origins):
    with pytest.raises(ValueError, match="COOKIE_API_CORS_ORIGINS"):
        create_app({"CORS_ORIGINS": origins})
