"""Each certificate's OpenBadgeCredential: its shape, 1EdTech's schema, and no personal data."""

import json
import re

import jsonschema
import pytest

from certificates import credentials
from tests.certificates.credential_helpers import signed

SCHEMA = json.loads(
    (credentials.VC_DIR / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text()
)

pytestmark = pytest.mark.usefixtures("vc_key")


def test_the_credential_validates_against_1edtechs_ob3_schema(certificate):
    credential = signed(certificate)
    validator = jsonschema.Draft201909Validator(SCHEMA)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(credential)]
    assert errors == []
    public = signed(certificate, public=True)
    assert [e.message for e in validator.iter_errors(public)] == []


def test_vc_then_ob_context_type_issuer_and_dates(certificate):
    credential = signed(certificate)
    assert credential["@context"] == [credentials.VC_V2, credentials.OB_V3]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == credentials.issuer_did()
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["url"].endswith("/credentials/issuer/")
    # Valid from the issue day's start to the expiry day's end, Shanghai time.
    day = certificate.issued_on - __import__("datetime").timedelta(days=1)
    assert credential["validFrom"] == f"{day:%Y-%m-%d}T16:00:00Z"
    assert credential["validUntil"] == f"{certificate.expires_on:%Y-%m-%d}T15:59:59Z"
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"][0]["verificationMethod"] == credentials.issuer_did() + "#key-1"


def test_the_achievement_is_the_door_to_door_card_with_chinese_criteria(certificate):
    subject = signed(certificate)["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == "上门服务证"
    assert achievement["humanCode"] == certificate.type.code
    assert "培训" in achievement["criteria"]["narrative"]
    assert subject["licenseNumber"].startswith(certificate.number)


def test_the_holder_is_a_salted_hash_of_the_id_number(certificate):
    identity = signed(certificate)["credentialSubject"]["identifier"][0]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityType"] == "nationalIdentityNumber"
    expected = credentials.identity_hash(certificate.worker.id_number, identity["salt"])
    assert identity["identityHash"] == expected
    assert re.fullmatch(r"sha256\$[0-9a-f]{64}", identity["identityHash"])


def test_the_public_copy_withholds_the_salt(certificate):
    identity = signed(certificate, public=True)["credentialSubject"]["identifier"][0]
    assert "salt" not in identity
    assert identity["identityType"] == credentials.SALT_WITHHELD


def test_the_name_is_masked_unless_the_worker_asks_for_it(certificate):
    worker = certificate.worker
    assert signed(certificate)["credentialSubject"]["name"] == "张*红"
    assert signed(certificate, full_name=True)["credentialSubject"]["name"] == worker.name
    # The public copy never carries the full name.
    assert signed(certificate, full_name=True, public=True)["credentialSubject"]["name"] == "张*红"


def test_a_download_repeats_byte_for_byte(certificate):
    assert credentials.credential_bytes(signed(certificate)) == credentials.credential_bytes(
        signed(certificate)
    )


ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.mark.parametrize("variant", [{}, {"public": True}])
def test_no_personal_data_in_any_credential(certificate, variant):
    worker = certificate.worker
    text = json.dumps(signed(certificate, **variant), ensure_ascii=False)
    assert not ID_NUMBER.search(text)
    assert not MOBILE.search(text)
    assert worker.id_number not in text
    assert worker.name not in text
    if worker.phone:
        assert worker.phone not in text
