"""Refusals of the partner API are RFC 9457 problem details: application/problem+json
with a type URI that documents itself, a Chinese title, status, detail and the fields of
invalid input; the verify API keeps its own answers."""

import re

from django.test import Client

import pytest

from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_shape_of_a_refusal(api):
    response = api("get", "/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["status"] == 401 and body["instance"] == "/api/v1/partner/me"
    assert CJK.search(body["title"]) and CJK.search(body["detail"])
    assert body["type"].startswith("http") and body["type"].endswith("/unauthenticated")


def test_the_type_uri_documents_the_problem(api):
    kind = api("get", "/me").json()["type"]
    described = Client().get(kind.split("127.0.0.1:8000", 1)[-1])
    assert described.status_code == 200
    assert described.json()["title"] == "未认证"


def test_invalid_input_names_its_fields(token_for, api):
    token = token_for(PartnerFactory(scope="credit:read"))
    response = api("get", "/agencies/913100001234567890", token)
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/invalid-request")
    assert body["errors"][0]["parameter"] == "credit_code"
    assert CJK.search(body["errors"][0]["detail"])


def test_a_malformed_body_is_a_problem_with_a_pointer(token_for, api):
    scope = "workers:read pii:read"
    token = token_for(PartnerFactory(scope=scope), scope=scope)
    response = api(
        "post",
        "/workers/by-id-number",
        token,
        data={"id_number": "310101199001011230", "purpose": "核验"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/id_number"
    broken = api("post", "/workers/by-id-number", token, data="[", content_type="application/json")
    assert broken.status_code == 422 and broken["Content-Type"] == "application/problem+json"


def test_the_verify_api_keeps_its_answers():
    response = Client().get("/api/v1/verify/" + "x" * 32)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "type" not in response.json()
