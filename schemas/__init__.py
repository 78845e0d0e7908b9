"""marshmallow schemas: the request and response shapes of the API."""
