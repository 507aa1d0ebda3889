"""Rotation: a second secret works beside the first; revoking the old one stops it and
its tokens at once; a third live secret is refused; secrets are stored hashed."""

import pytest
from oauth2_provider.models import get_application_model

from partners.services import (
    CredentialRefused,
    partner_credential_create,
    partner_credential_revoke,
)
from tests.partners.conftest import PartnerFactory, exchange

pytestmark = pytest.mark.django_db


def test_both_secrets_work_until_the_old_one_is_revoked(api):
    partner = PartnerFactory()
    old, old_secret = partner_credential_create(partner=partner)
    new, new_secret = partner_credential_create(partner=partner)
    old_token = exchange(old.client_id, old_secret).json()["access_token"]
    new_token = exchange(new.client_id, new_secret).json()["access_token"]
    assert api("get", "/me", old_token).status_code == 200
    assert api("get", "/me", new_token).status_code == 200

    partner_credential_revoke(credential=old)

    assert exchange(old.client_id, old_secret).status_code == 401
    assert api("get", "/me", old_token).status_code == 401
    assert api("get", "/me", new_token).status_code == 200
    assert exchange(new.client_id, new_secret).status_code == 200
    old.refresh_from_db()
    assert old.revoked_at is not None and old.application is None


def test_a_third_live_secret_is_refused():
    partner = PartnerFactory()
    partner_credential_create(partner=partner)
    partner_credential_create(partner=partner)
    with pytest.raises(CredentialRefused):
        partner_credential_create(partner=partner)


def test_the_secret_is_stored_hashed():
    credential, secret = partner_credential_create(partner=PartnerFactory())
    stored = get_application_model().objects.get(pk=credential.application_id).client_secret
    assert secret not in stored
    assert stored.startswith(("pbkdf2_", "md5$", "argon2", "bcrypt", "scrypt"))
