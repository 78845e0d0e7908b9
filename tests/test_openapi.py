"""The OpenAPI 3.0 document: equal to the app, valid, and teaching what the API does."""

from __future__ import annotations


def test_no_swagger_json_is_served(client):
    assert client.get("/swagger.json").status_code == 404
