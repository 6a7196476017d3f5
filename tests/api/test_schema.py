"""The OpenAPI schema validates with no warning and documents every route; its docs pages
work offline (served from drf-spectacular-sidecar) under the portal's CSP."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.api.test_api_matrix import ROUTES

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    documented = {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    }
    for name, method, _need, kwargs in ROUTES:
        if name in ("schema", "docs", "redoc"):
            continue
        path = reverse(f"api:{name}", kwargs={"pk": 1} if kwargs else None)
        path = re.sub(r"/1/", "/{id}/", path)
        assert (path, method) in documented, f"{method} {path} is not in the schema"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), f"{method} {path} has no description"
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


def test_the_docs_pages_load_only_our_own_files(client_for, alice):
    client = client_for(alice)
    for name in ("api:docs", "api:redoc"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        html = page.content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources and all(s.startswith("/") for s in sources), sources
        assert "<script>" not in html and "<style" not in html
    swagger_csp = client.get(reverse("api:docs"))["Content-Security-Policy"]
    assert "unsafe-inline" not in swagger_csp
    start = client.get(reverse("api:docs") + "?script=")
    assert start.status_code == 200 and b"SwaggerUIBundle" in start.content
    # Redoc alone gets inline styles (it makes <style> elements at run time); nothing else.
    assert "'unsafe-inline'" in client.get(reverse("api:redoc"))["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get(reverse("api_token_list"))["Content-Security-Policy"]


def test_the_docs_pages_send_signed_out_people_to_sign_in(client):
    for name in ("api:docs", "api:redoc"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
