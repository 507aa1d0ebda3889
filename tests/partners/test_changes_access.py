"""The feed needs changes:read: allowed with it, refused (403 problem) without, every call
in the call log with its number of events, answers private and never stored."""

import pytest

from partners.models import PartnerCall, Scope
from tests.partners.conftest import PartnerFactory
from tests.partners.test_changes_feed import feed, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EVERY_OTHER = [s.value for s in Scope if s != Scope.CHANGES_READ]


def test_allowed_with_changes_read(token_for):
    record(1)
    answer = feed(token_for(PartnerFactory(scope="changes:read"), scope="changes:read"))
    assert answer.status_code == 200, answer.content
    assert answer["Cache-Control"] == "no-store, private"
    assert len(answer.json()["events"]) == 1


def test_refused_without_changes_read(token_for):
    partner = PartnerFactory(scope=" ".join(EVERY_OTHER))
    answer = feed(token_for(partner))
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/insufficient-scope")
    assert "changes:read" in answer["WWW-Authenticate"]


def test_a_token_without_the_scope_is_refused_even_if_the_partner_has_it(token_for):
    partner = PartnerFactory(scope="changes:read certificates:read")
    assert feed(token_for(partner, scope="certificates:read")).status_code == 403


def test_a_partner_narrowed_after_its_token_loses_the_feed(token_for):
    partner = PartnerFactory(scope="changes:read")
    token = token_for(partner)
    partner.scope = "certificates:read"
    partner.save()
    assert feed(token).status_code == 403


def test_without_a_token(client):
    answer = client.get("/api/v1/changes")
    assert answer.status_code == 401
    assert answer.json()["type"].endswith("/unauthenticated")


def test_each_call_is_logged_with_its_number_of_events(token_for):
    partner = PartnerFactory(scope="changes:read")
    token = token_for(partner)
    record(3)
    assert feed(token, limit=2).status_code == 200
    call = PartnerCall.objects.order_by("-pk").first()
    assert (call.partner, call.method, call.endpoint, call.scope, call.status) == (
        partner,
        "GET",
        "changes",
        "changes:read",
        200,
    )
    assert call.subjects == 2
    feed(token, after="bad")
    call = PartnerCall.objects.order_by("-pk").first()
    assert (call.status, call.problem, call.subjects) == (422, "invalid-request", 0)


def test_the_operation_is_in_the_openapi_document_with_its_scope_and_problems(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/changes"]["get"]
    assert operation["operationId"] == "partner_changes"
    assert operation["security"] == [{"PartnerBearer": ["changes:read"]}]
    assert {"401", "403", "410", "422", "429"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"after", "types", "limit"}
