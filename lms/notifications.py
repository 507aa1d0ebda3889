"""Notifications to people: e-mail through Django, SMS through a pluggable backend.

``settings.SMS_BACKEND`` names a class with ``send(phone, message)``; the
console backend writes to the log, a real gateway plugs in the same way.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSMSBackend:
    """Prints each SMS to the log (and keeps it in `outbox`, for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))
        logger.info("SMS to %s: %s", phone, message)


def get_sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, message: str) -> None:
    if phone:
        get_sms_backend().send(phone, message)


def send_email(to: list[str], subject: str, message: str) -> None:
    recipients = [t for t in to if t]
    if recipients:
        send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, recipients)
