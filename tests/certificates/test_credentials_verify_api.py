"""POST /api/v1/credentials/verify: each check separately, JSON or a baked PNG, no login."""

import copy
import datetime

from django.test import override_settings

import pytest
import time_machine

from certificates import wallet_card
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from tests.certificates.credential_helpers import signed

pytestmark = pytest.mark.usefixtures("vc_key")

URL = "/api/v1/credentials/verify"


def _post(client, credential):
    return client.post(URL, credential, content_type="application/json")


def _codes(response) -> dict:
    return {c["check"]: c["code"] for c in response.json()["checks"]}


def test_our_credential_passes_every_check(client, certificate):
    response = _post(client, signed(certificate))
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert _codes(response) == {
        "proof": "proof_valid",
        "issuer": "issuer_known",
        "validity": "within_validity",
        "status": "not_revoked",
    }
    assert all(c["message"] for c in body["checks"])


def test_a_tampered_credential_fails_the_proof_only(client, certificate):
    credential = copy.deepcopy(signed(certificate))
    credential["credentialSubject"]["achievement"]["name"] = "高级上门服务证"
    response = _post(client, credential)
    assert response.json()["verified"] is False
    codes = _codes(response)
    assert codes["proof"] == "proof_invalid"
    assert codes["issuer"] == "issuer_known"
    assert codes["status"] == "not_revoked"


def test_revoked_and_superseded_are_told_apart(
    client, certificate, django_capture_on_commit_callbacks
):
    credential = signed(certificate)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=certificate, acting_user=None, reason="遗失")
    assert _codes(_post(client, credential))["status"] == "superseded"
    new = certificate.__class__.objects.get(superseded_by=None, number=certificate.number)
    newer = signed(new)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=new, acting_user=None, reason="违规")
    response = _post(client, newer)
    assert _codes(response)["status"] == "revoked"
    assert response.json()["verified"] is False


def test_validity_window(client, certificate):
    credential = signed(certificate)
    after = datetime.datetime.combine(
        certificate.expires_on + datetime.timedelta(days=2), datetime.time(12), datetime.UTC
    )
    with time_machine.travel(after):
        assert _codes(_post(client, credential))["validity"] == "expired"
    before = datetime.datetime.combine(
        certificate.issued_on - datetime.timedelta(days=2), datetime.time(12), datetime.UTC
    )
    with time_machine.travel(before):
        assert _codes(_post(client, credential))["validity"] == "not_yet_valid"


def test_another_issuer_is_unknown(client, certificate):
    credential = copy.deepcopy(signed(certificate))
    credential["issuer"]["id"] = "did:web:example.com"
    codes = _codes(_post(client, credential))
    assert codes["issuer"] == "issuer_unknown"
    assert codes["proof"] == "proof_invalid"


def test_a_baked_png_is_read(client, certificate):
    credential = signed(certificate)
    png = wallet_card.bake(wallet_card.card_png(certificate, holder_name="张*红"), credential)
    upload = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "card.png", png, content_type="image/png"
    )
    response = client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert response.json()["verified"] is True
    plain = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "card.png", wallet_card.card_png(certificate, holder_name="x"), content_type="image/png"
    )
    refused = client.post(URL, {"file": plain})
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_baked"


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        ("[1, 2]", "application/json", "not_a_credential"),
        ("{not json", "application/json", "not_json"),
        ("x=1", "application/x-www-form-urlencoded", "unsupported_type"),
    ],
)
def test_what_is_not_a_credential_is_a_400_with_a_code(client, body, content_type, code):
    response = client.post(URL, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


@override_settings(PUBLIC_LOOKUP_RATE="2/m")
def test_rate_limited_like_the_verify_api(client, certificate):
    credential = signed(certificate)
    answers = [_post(client, credential).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_every_answer_is_declared(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/credentials/verify"]
    post = operation["post"]
    assert {"200", "400", "422", "429"} <= set(post["responses"])
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
