"""Second-factor enrolment and verification (django-otp)."""

import secrets

from django.db import transaction

from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.audit import audit

BACKUP_CODE_COUNT = 10


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user, token: str) -> TOTPDevice | None:
    """Confirm the pending authenticator if `token` is right; None if it is not."""
    device = totp_device_pending(user=user)
    if not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit(user, "lms.otp_enrol", user=user, data={"device": device.persistent_id})
    return device


@transaction.atomic
def backup_codes_regenerate(*, user, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replace the user's static backup codes; returns the new codes (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit(user, "lms.otp_backup_codes", user=user, data={"count": count})
    return codes


def second_factor_match(*, user, token: str):
    """The confirmed device `token` belongs to, or None. Used tokens never match twice."""
    return match_token(user, token)


def user_has_second_factor(*, user) -> bool:
    """Whether the user has enrolled any device, even one whose backup codes are used up.

    Only someone without any device may enrol with the password alone; a user
    who has lost every code asks an administrator to reset their devices.
    """
    return user_has_device(user, confirmed=True)
