"""Notifications to people: e-mail through Django, SMS through a pluggable backend.

``settings.SMS_BACKEND`` names a class with
``send(phone, message, *, template=None, params=None)``. A real SMS provider in
China only sends approved templates, so a caller that means a template names it
by key (``template="login_code"``, ``params={"code": "123456"}``) and still
passes the rendered ``message``: the console backend prints that text, a
provider backend (``lms.sms.AliyunSMSBackend``) sends the template instead.
A backend that cannot send raises `SMSError`.

``settings.VOICE_BACKEND`` is the same seam for a voice call that reads a code
aloud (the alternative for a phone that does not get the SMS); it is "" where
the provider offers no voice calls, and then `voice_calls_available` is False.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .masking import mask_phone

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """An SMS (or a voice call) that was not sent. `message` is safe to show to the person who asked
    (translated, names no secret); `code` is the provider's code, for the log."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.message = message
        self.code = code


class ConsoleSMSBackend:
    """Prints each SMS to the log (and keeps it in `outbox`, for tests).

    Under `make run` the log is the terminal, so a demo sign-in code can be read there.
    """

    outbox: list[tuple[str, str]] = []

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        self.outbox.append((phone, message))
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class ConsoleVoiceBackend:
    """Logs each voice call's words (and keeps them in `outbox`, for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(
        self,
        phone: str,
        message: str,
        *,
        template: str | None = None,
        params: dict[str, str] | None = None,
    ) -> None:
        self.outbox.append((phone, message))
        logger.info("Voice call to %s: %s", mask_phone(phone), message)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(
    phone: str,
    message: str,
    *,
    template: str | None = None,
    params: dict[str, str] | None = None,
) -> None:
    """Send `message` to `phone` (nothing without a number); raises `SMSError`.

    `template` is a template key (e.g. ``"login_code"``, which a provider backend maps
    to its approved template code) and `params` its variables; the console ignores them.
    """
    if not phone:
        return
    backend = get_sms_backend()
    if template is None:
        # Backends written for the older seam take (phone, message) only.
        backend.send(phone, message)
    else:
        backend.send(phone, message, template=template, params=params or {})


def voice_calls_available() -> bool:
    return bool(settings.VOICE_BACKEND)


def send_voice(phone: str, message: str, *, template: str, params: dict[str, str]) -> None:
    """Call `phone` and read the TTS template `template` with `params` (the console
    backend logs `message`); raises `SMSError` when the call cannot be made."""
    if not phone:
        return
    import_string(settings.VOICE_BACKEND)().send(phone, message, template=template, params=params)


def send_email(to: list[str], subject: str, message: str) -> None:
    recipients = [t for t in to if t]
    if recipients:
        send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, recipients)
