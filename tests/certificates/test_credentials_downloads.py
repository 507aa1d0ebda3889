"""Where people get a credential: the worker's page, the verify page, the baked card, the ZIP."""

import io
import json
import zipfile

import pytest
from PIL import Image

from certificates import credential_checks, wallet_card
from certificates.models import Certificate
from certificates.services.zips import certificates_zip
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.usefixtures("vc_key")


def test_the_worker_downloads_their_own_credential_privately(client, login_worker, certificate):
    login_worker(client, certificate.worker.user)
    page = client.get("/me/certificates/")
    assert f"/me/certificates/{certificate.pk}/credential.json".encode() in page.content
    assert f"/me/certificates/{certificate.pk}/credential.png".encode() in page.content
    response = client.get(f"/me/certificates/{certificate.pk}/credential.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    credential = json.loads(response.content)
    assert credential["credentialSubject"]["name"] == "张*红"
    assert credential_checks.verify_credential(credential)["verified"]
    full = json.loads(
        client.get(f"/me/certificates/{certificate.pk}/credential.json?name=full").content
    )
    assert full["credentialSubject"]["name"] == "张小红"
    assert credential_checks.verify_credential(full)["verified"]


def test_another_workers_credential_is_a_404(client, login_worker, certificate):
    other = ApprovedWorkerFactory(user=WorkerUserFactory())
    login_worker(client, other.user)
    for suffix in ("json", "png"):
        assert (
            client.get(f"/me/certificates/{certificate.pk}/credential.{suffix}").status_code == 404
        )
    client.logout()
    response = client.get(f"/me/certificates/{certificate.pk}/credential.json")
    assert response.status_code == 302


def test_the_verify_page_links_the_public_copy(client, certificate):
    page = client.get(f"/v/{certificate.token}/")
    url = f"/v/{certificate.token}/credential.json"
    assert url.encode() in page.content
    response = client.get(url)
    assert response.status_code == 200
    credential = response.json()
    assert "salt" not in credential["credentialSubject"]["identifier"][0]
    assert credential_checks.verify_credential(credential)["verified"]
    assert client.get("/v/" + "x" * 30 + "/credential.json").status_code == 404


def test_the_baked_card_round_trips(client, login_worker, certificate):
    login_worker(client, certificate.worker.user)
    response = client.get(f"/me/certificates/{certificate.pk}/credential.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    # The raw iTXt chunk, as OB 3.0 baking names it.
    assert b"iTXtopenbadgecredential\x00" in response.content
    credential = wallet_card.unbake(response.content)
    assert credential["credentialSubject"]["name"] == "张*红"
    assert credential_checks.verify_credential(credential)["verified"]


def test_unbaking_a_plain_png_or_not_an_image_says_so(certificate):
    plain = wallet_card.card_png(certificate, holder_name="张*红")
    with pytest.raises(wallet_card.NotBaked):
        wallet_card.unbake(plain)
    with pytest.raises(wallet_card.NotBaked):
        wallet_card.unbake(b"not an image")


def test_the_certificates_zip_holds_each_credential(certificate):
    spool = certificates_zip(certificates=Certificate.objects.filter(pk=certificate.pk))
    archive = zipfile.ZipFile(spool)
    names = [n for n in archive.namelist() if n.endswith(".credential.json")]
    assert len(names) == 1
    credential = json.loads(archive.read(names[0]))
    assert credential_checks.verify_credential(credential)["verified"]


def test_did_document_and_issuer_profile_are_public(client, vc_key):
    from certificates import credentials

    did = client.get("/.well-known/did.json")
    assert did.status_code == 200
    document = did.json()
    assert document["id"] == credentials.issuer_did()
    [method] = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"] == credentials.public_key_multibase(vc_key.public_key())
    assert document["assertionMethod"] == [method["id"]]
    profile = client.get("/credentials/issuer/").json()
    assert profile["id"] == credentials.issuer_did() and profile["type"] == ["Profile"]
