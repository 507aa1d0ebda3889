"""Writes under an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): missing → 400,
a retry answers the first answer and writes nothing, the key with another body → 422, a
refusal keeps nothing, a key past its retention is new again and is purged."""

import datetime
import json

from django.utils import timezone

import pytest

from partners.idempotency import idempotent_requests_purge
from partners.models import IdempotentRequest, PartnerCall
from registry.models import Filing, Worker
from tests.partners.conftest import AgencySystemFactory
from tests.registry.factories import next_id_number

pytestmark = pytest.mark.django_db


def post(api, path, token, body, key="key-0001", **extra):
    """POST `body` as JSON to the partner API with `key` as the Idempotency-Key."""
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return api(
        "post",
        path,
        token,
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        **extra,
    )


def filing(**more):
    return {"name": "张小红", "id_number": next_id_number(), "phone": "13800000001", **more}


@pytest.fixture
def system(token_for):
    partner = AgencySystemFactory()
    return partner, token_for(partner)


def test_a_write_without_a_key_is_refused_and_writes_nothing(api, system):
    partner, token = system
    response = post(api, "/workers", token, filing(), key=None)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/idempotency-key-missing")
    assert body["errors"] == [
        {"detail": body["errors"][0]["detail"], "parameter": "Idempotency-Key"}
    ]
    assert not Worker.objects.exists()
    assert PartnerCall.objects.filter(partner=partner, status=400).count() == 1


def test_a_retry_answers_the_first_answer_and_files_once(api, system):
    partner, token = system
    body = filing()
    first = post(api, "/workers", token, body)
    assert first.status_code == 201, first.content
    again = post(api, "/workers", token, body)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Worker.objects.count() == 1 and Filing.objects.count() == 1
    assert IdempotentRequest.objects.filter(partner=partner).count() == 1
    calls = PartnerCall.objects.filter(partner=partner, endpoint="worker_file")
    assert [(c.status, c.subjects) for c in calls] == [(201, 1), (201, 1)]


def test_the_quoted_form_of_the_key_is_the_same_key(api, system):
    _partner, token = system
    body = filing()
    assert post(api, "/workers", token, body, key="abc-1").status_code == 201
    assert post(api, "/workers", token, body, key='"abc-1"')["Idempotent-Replayed"] == "true"
    assert Worker.objects.count() == 1


def test_the_key_with_another_request_is_refused(api, system):
    _partner, token = system
    assert post(api, "/workers", token, filing()).status_code == 201
    response = post(api, "/workers", token, filing())
    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert Worker.objects.count() == 1


def test_the_same_key_on_another_path_is_another_request(api, system):
    _partner, token = system
    worker_id = post(api, "/workers", token, filing()).json()["worker"]["id"]
    response = post(api, f"/workers/{worker_id}/contact", token, {"phone": "13800000009"})
    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")


def test_keys_are_per_partner(api, token_for):
    one, two = AgencySystemFactory(), AgencySystemFactory()
    assert post(api, "/workers", token_for(one), filing(), key="same").status_code == 201
    assert post(api, "/workers", token_for(two), filing(), key="same").status_code == 201
    assert Worker.objects.count() == 2


def test_a_refusal_keeps_nothing_and_the_corrected_request_may_use_the_key(api, system):
    _partner, token = system
    bad = filing(phone="123")
    response = post(api, "/workers", token, bad)
    assert response.status_code == 422
    assert not IdempotentRequest.objects.exists() and not Worker.objects.exists()
    assert post(api, "/workers", token, {**bad, "phone": "13800000001"}).status_code == 201


def _age(days):
    IdempotentRequest.objects.update(created_at=timezone.now() - datetime.timedelta(days=days))


def test_first_answers_are_kept_for_the_retention_then_purged(api, system, settings):
    settings.PARTNER_IDEMPOTENCY_DAYS = 7
    _partner, token = system
    body = filing()
    assert post(api, "/workers", token, body).status_code == 201
    _age(6)
    assert post(api, "/workers", token, body)["Idempotent-Replayed"] == "true"
    assert idempotent_requests_purge() == 0
    _age(8)
    assert idempotent_requests_purge() == 1
    assert not IdempotentRequest.objects.exists()


def test_a_key_past_its_retention_is_new_again(api, system, settings):
    settings.PARTNER_IDEMPOTENCY_DAYS = 7
    _partner, token = system
    assert post(api, "/workers", token, filing()).status_code == 201
    _age(8)
    assert post(api, "/workers", token, filing()).status_code == 201
    assert Worker.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1
