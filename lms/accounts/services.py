"""Second-factor enrolment and verification (django-otp), and one-time SMS codes."""

import datetime
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.audit import audit
from lms.notifications import SMSError, send_sms, send_voice, voice_calls_available

from .models import SMSCode

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


# --- SMS codes (验证码) -----------------------------------------------------------


@dataclass(frozen=True)
class CodeSent:
    """What asking for a code came to: sent, or not before `wait_seconds` have passed."""

    sent: bool
    wait_seconds: int = 0


def sms_code_limits(setting: str) -> list[tuple[int, int]]:
    """Parse a limits setting such as "1/60,5/3600" into [(count, seconds), …]."""
    limits = []
    for part in str(getattr(settings, setting)).split(","):
        count, _sep, seconds = part.strip().partition("/")
        limits.append((int(count), int(seconds)))
    return limits


def _code_hash(phone: str, purpose: str, code: str) -> str:
    # Keyed by the secret key: six digits alone are guessed from a plain hash at once.
    return salted_hmac(
        "lms.accounts.SMSCode", f"{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def _wait_for(rows, limits: list[tuple[int, int]], now) -> int:
    """Seconds until every limit has room for one more code (0: room now)."""
    wait = 0
    for count, seconds in limits:
        recent = [at for at in rows if at > now - datetime.timedelta(seconds=seconds)]
        if len(recent) >= count:
            # The window frees up when the oldest code that fills it leaves it.
            oldest = sorted(recent, reverse=True)[count - 1]
            wait = max(
                wait,
                math.ceil((oldest + datetime.timedelta(seconds=seconds) - now).total_seconds()),
            )
    return wait


# Each channel's limits: (per mobile number, per client address).
CHANNEL_LIMITS = {
    SMSCode.Channel.SMS: ("SMS_CODE_LIMITS_PER_PHONE", "SMS_CODE_LIMITS_PER_CLIENT"),
    SMSCode.Channel.VOICE: ("VOICE_CODE_LIMITS_PER_PHONE", "VOICE_CODE_LIMITS_PER_CLIENT"),
}


def _wait_by(now, setting: str, **lookup) -> int:
    limits = sms_code_limits(setting)
    since = now - datetime.timedelta(seconds=max(s for _c, s in limits))
    sent = SMSCode.objects.filter(created_at__gt=since, **lookup).values_list(
        "created_at", flat=True
    )
    return _wait_for(list(sent), limits, now)


def sms_code_wait(*, phone: str, client_ip: str | None, channel: str = SMSCode.Channel.SMS) -> int:
    """Seconds before another code may go to `phone` from `client_ip` by `channel` (0: now)."""
    now = timezone.now()
    per_phone, per_client = CHANNEL_LIMITS[channel]
    wait = _wait_by(now, per_phone, phone=phone, channel=channel)
    if client_ip:
        wait = max(wait, _wait_by(now, per_client, client_ip=client_ip, channel=channel))
    return wait


def sms_code_send(
    *,
    phone: str,
    purpose: str,
    client_ip: str | None = None,
    user=None,
    channel: str = SMSCode.Channel.SMS,
) -> CodeSent:
    """Send a fresh 6-digit code to `phone` by SMS, or by a voice call that reads it
    aloud (``channel``), unless that channel's rate limit says wait.

    Answers the same for every well-formed number, filed or not: whether a
    number belongs to a worker is never told here. Earlier unused codes of the
    same number and purpose stop working, whichever way they went. The code
    itself is stored only as a keyed hash.
    """
    if channel == SMSCode.Channel.VOICE and not voice_calls_available():
        raise SMSError(_("暂时不能用电话告知验证码，请使用短信验证码。"), code="NoVoiceBackend")
    with transaction.atomic():
        wait = sms_code_wait(phone=phone, client_ip=client_ip, channel=channel)
        if wait:
            return CodeSent(sent=False, wait_seconds=wait)
        now = timezone.now()
        SMSCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(
            expires_at=now
        )
        code = f"{secrets.randbelow(10**6):06d}"
        SMSCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone, purpose, code),
            channel=channel,
            user=user,
            client_ip=client_ip or None,
            expires_at=now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
    minutes = max(1, settings.SMS_CODE_TTL_SECONDS // 60)
    if channel == SMSCode.Channel.VOICE:
        # Read digit by digit; the provider's TTS template plays it twice.
        spoken = " ".join(code)
        send_voice(
            phone,
            _("您好，这里是上海家政平台。您的验证码是 %(code)s，%(minutes)s 分钟内有效。")
            % {"code": spoken, "minutes": minutes},
            template=f"{purpose}_code",
            params={"code": code},
        )
        return CodeSent(sent=True)
    if purpose == SMSCode.Purpose.CHANGE_PHONE:
        message = _("【上海家政】您正在更换绑定手机号，验证码 %(code)s，%(minutes)s 分钟内有效。")
    else:
        message = _("【上海家政】您的登录验证码是 %(code)s，%(minutes)s 分钟内有效，请勿告诉他人。")
    send_sms(
        phone,
        message % {"code": code, "minutes": minutes},
        template=f"{purpose}_code",
        params={"code": code},
    )
    return CodeSent(sent=True)


@transaction.atomic
def sms_code_check(*, phone: str, purpose: str, code: str, user=None) -> bool:
    """Whether `code` is the latest live code sent to `phone` for `purpose`; uses it up if so.

    Refuses a used, expired or superseded code, and any code after
    ``SMS_CODE_MAX_ATTEMPTS`` wrong guesses. A code for a number change
    counts only for the account that asked for it.
    """
    now = timezone.now()
    latest = (
        SMSCode.objects.select_for_update()
        .filter(phone=phone, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if (
        latest is None
        or latest.used_at is not None
        or latest.expires_at <= now
        or latest.failed_attempts >= settings.SMS_CODE_MAX_ATTEMPTS
        or (user is not None and latest.user_id != user.pk)
    ):
        return False
    if not constant_time_compare(latest.code_hash, _code_hash(phone, purpose, code.strip())):
        latest.failed_attempts += 1
        latest.save(update_fields=["failed_attempts"])
        return False
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return True


def password_set_audit(*, user) -> None:
    """Record that `user` set or changed their own password (never the password itself)."""
    audit(user, "lms.password_set", user=user, data={})
