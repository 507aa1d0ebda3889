"""The Bitstring Status List: indexes handed out once, a signed list that flips after commit."""

from django.db import IntegrityError, transaction

import pytest

from certificates import credential_services, credentials
from certificates.models import CertificateCredential, CredentialStatusList
from certificates.services.replacement import certificate_reissue
from certificates.services.revocation import certificate_revoke
from tests.certificates.credential_helpers import signed
from tests.certificates.factories import issue

pytestmark = pytest.mark.usefixtures("vc_key")


def _bit(status_list: CredentialStatusList, index: int) -> bool:
    status_list.refresh_from_db()
    document = credential_services.status_list_document(status_list=status_list)
    bits = credentials.decode_bitstring(document["credentialSubject"]["encodedList"])
    return credentials.bit_is_set(bits, index)


def test_each_certificate_gets_one_index_once(certificate, cert_type):
    first = credential_services.credential_record(certificate=certificate)
    again = credential_services.credential_record(certificate=certificate)
    assert again.pk == first.pk and again.status_index == first.status_index
    others = [credential_services.credential_record(certificate=issue(cert_type)) for _ in range(5)]
    indexes = {first.status_index, *(r.status_index for r in others)}
    assert len(indexes) == 6
    first.status_list.refresh_from_db()
    assert first.status_list.size >= 131_072
    assert first.status_list.allocated == 6


def test_an_index_cannot_be_given_twice(certificate, cert_type):
    record = credential_services.credential_record(certificate=certificate)
    other = issue(cert_type)
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateCredential.objects.create(
            certificate=other,
            uuid="00000000-0000-4000-8000-000000000001",
            status_list=record.status_list,
            status_index=record.status_index,
            salt="x",
            created_at=record.created_at,
        )


def test_a_full_list_opens_the_next(certificate, cert_type):
    record = credential_services.credential_record(certificate=certificate)
    CredentialStatusList.objects.filter(pk=record.status_list_id).update(allocated=131_072)
    following = credential_services.credential_record(certificate=issue(cert_type))
    assert following.status_list_id != record.status_list_id


def test_the_list_is_gzip_multibase_and_signed(certificate):
    record = credential_services.credential_record(certificate=certificate)
    document = credential_services.status_list_document(status_list=record.status_list)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = document["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    assert len(credentials.decode_bitstring(subject["encodedList"])) * 8 == 131_072
    public_key = credentials.signing_key().private.public_key()
    assert credentials.proof_is_valid(document, public_key=public_key)
    entry = signed(certificate)["credentialStatus"]
    assert entry["statusListCredential"] == document["id"]
    assert entry["statusListIndex"] == str(record.status_index)


def test_a_revocation_flips_the_bit_after_commit(certificate, django_capture_on_commit_callbacks):
    record = credential_services.credential_record(certificate=certificate)
    assert not _bit(record.status_list, record.status_index)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    # Nothing is re-signed before the revocation commits.
    assert not _bit(record.status_list, record.status_index)
    for callback in callbacks:
        callback()
    assert _bit(record.status_list, record.status_index)


def test_a_reissue_sets_the_old_bit_and_the_new_credential_is_clear(
    certificate, django_capture_on_commit_callbacks
):
    old = credential_services.credential_record(certificate=certificate)
    with django_capture_on_commit_callbacks(execute=True):
        new_certificate = certificate_reissue(
            certificate=certificate, acting_user=None, reason="遗失"
        )
    new = credential_services.credential_record(certificate=new_certificate)
    assert new.uuid != old.uuid and new.status_index != old.status_index
    assert _bit(old.status_list, old.status_index)
    assert not _bit(new.status_list, new.status_index)


def test_the_rebuild_task_is_idempotent(certificate):
    from certificates.tasks import credential_status_lists_rebuild

    record = credential_services.credential_record(certificate=certificate)
    certificate_revoke(certificate=certificate, acting_user=None, reason="违规")
    assert credential_status_lists_rebuild([certificate.pk]) == [record.status_list_id]
    first = CredentialStatusList.objects.get(pk=record.status_list_id).document
    credential_status_lists_rebuild([certificate.pk])
    second = CredentialStatusList.objects.get(pk=record.status_list_id).document
    assert first["credentialSubject"] == second["credentialSubject"]
    assert _bit(record.status_list, record.status_index)


def test_the_status_list_url_serves_the_signed_list(client, certificate):
    record = credential_services.credential_record(certificate=certificate)
    response = client.get(f"/credentials/status/{record.status_list_id}/")
    assert response.status_code == 200
    assert response.json()["credentialSubject"]["type"] == "BitstringStatusList"
    assert "no-cache" in response["Cache-Control"]
    again = client.get(
        f"/credentials/status/{record.status_list_id}/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
