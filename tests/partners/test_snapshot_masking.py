"""Persons in the snapshot are masked as in the lookups unless the token holds pii:read,
which then needs a stated purpose."""

import pytest

from partners.models import PartnerCall
from tests.certificates.factories import issue

from .conftest import READ_SCOPES, PartnerFactory
from .test_snapshot_stream import lines, snapshot

pytestmark = pytest.mark.django_db

PII = f"{READ_SCOPES} pii:read"
PERSON = ("name", "id_number", "phone", "card_number", "masked")


@pytest.fixture
def worker():
    return issue().worker


def secrets_of(worker) -> list[str]:
    return [worker.name, worker.id_number, worker.phone, worker.card_number]


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_no_full_name_id_number_phone_or_card_without_pii_read(token_for, worker):
    text = body(snapshot(token_for(PartnerFactory())))
    assert f'"id": {worker.pk}' in text or f'"id":{worker.pk}' in text
    for secret in secrets_of(worker):
        assert secret not in text


def test_persons_are_masked_exactly_as_the_lookup_masks_them(api, token_for, worker):
    token = token_for(PartnerFactory())
    looked_up = api("get", f"/workers/by-card/{worker.card_number}", token).json()
    got = lines(snapshot(token, sections="workers,certificates"))
    record = next(line["record"] for line in got[1:-1] if line["section"] == "workers")
    holder = next(
        line["record"]["holder"] for line in got[1:-1] if line["section"] == "certificates"
    )
    expected = {key: looked_up[key] for key in PERSON}
    assert expected["masked"] is True
    assert {key: record[key] for key in PERSON} == expected
    assert holder == expected


def test_pii_read_shows_persons_in_full_with_a_purpose(token_for, worker):
    partner = PartnerFactory(scope=f"{READ_SCOPES} pii:read")
    response = snapshot(token_for(partner, scope=PII), purpose="国家平台首次同步")
    text = body(response)
    for secret in secrets_of(worker):
        assert secret in text
    call = PartnerCall.objects.get(partner=partner, endpoint="snapshot")
    assert call.purpose == "国家平台首次同步"
    assert "pii:read" in call.scope


@pytest.mark.parametrize("purpose", [None, " ", "x"])
def test_pii_read_without_a_purpose_is_refused(token_for, worker, purpose):
    partner = PartnerFactory(scope=f"{READ_SCOPES} pii:read")
    params = {} if purpose is None else {"purpose": purpose}
    response = snapshot(token_for(partner, scope=PII), **params)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/purpose-required")
    assert response.json()["errors"][0]["parameter"] == "purpose"


def test_a_token_narrowed_below_pii_read_needs_no_purpose_and_is_masked(token_for, worker):
    partner = PartnerFactory(scope=f"{READ_SCOPES} pii:read")
    text = body(snapshot(token_for(partner, scope="workers:read")))
    assert worker.id_number not in text
