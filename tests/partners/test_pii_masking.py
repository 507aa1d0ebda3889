"""Without pii:read no answer carries a worker's full name, ID number, phone or card number
(masked exactly as on public pages); with it, the same answers are in full."""

import pytest

from lms.masking import mask_id_number, mask_name, mask_phone
from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db

READ = "certificates:read workers:read credit:read"


def _secrets(worker) -> list[str]:
    return [worker.name, worker.id_number, worker.phone, worker.card_number]


@pytest.mark.parametrize(
    "operation",
    ["certificate_by_number", "certificate_by_token", "worker_by_card", "agency_by_credit_code"],
)
def test_no_answer_without_pii_read_carries_personal_data(
    operation, lookups, certificate, token_for, api
):
    worker = certificate.worker
    method, path, kwargs, _needed = lookups[operation]
    token = token_for(PartnerFactory(scope=READ))
    response = api(method, path, token, **kwargs)
    assert response.status_code == 200
    text = response.content.decode("unicode_escape") + response.content.decode()
    for secret in _secrets(worker):
        assert secret not in text
    if operation != "agency_by_credit_code":
        body = response.json()
        person = body.get("holder", body)
        assert person["name"] == mask_name(worker.name)
        assert person["id_number"] == mask_id_number(worker.id_number)
        assert person["phone"] == mask_phone(worker.phone)
        assert person["masked"] is True


def test_every_refusal_without_pii_read_carries_no_personal_data(certificate, token_for, api):
    worker = certificate.worker
    token = token_for(PartnerFactory(scope="certificates:read"))
    for path in (f"/workers/by-card/{worker.card_number}", "/workers/by-card/SHJZ99999999"):
        response = api("get", path, token)
        assert response.status_code == 403
        for secret in _secrets(worker)[:3]:
            assert secret not in response.content.decode()


@pytest.mark.parametrize(
    "operation", ["certificate_by_number", "worker_by_card", "worker_by_id_number"]
)
def test_with_pii_read_and_a_purpose_the_person_is_in_full(
    operation, lookups, certificate, token_for, api
):
    worker = certificate.worker
    method, path, kwargs, _needed = lookups[operation]
    partner = PartnerFactory(scope=f"{READ} pii:read", kind="national")
    token = token_for(partner, scope=f"{READ} pii:read")
    if method == "get":
        kwargs = {**kwargs, "data": {"purpose": "核验上门服务人员"}}
    body = api(method, path, token, **kwargs).json()
    person = body.get("holder", body)
    assert (person["name"], person["id_number"], person["phone"]) == (
        worker.name,
        worker.id_number,
        worker.phone,
    )
    assert person["masked"] is False
