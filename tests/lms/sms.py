"""Reading SMS codes that the console backend "sent" (its outbox), for tests."""

import re

from lms.notifications import ConsoleSMSBackend


def clear_outbox() -> None:
    ConsoleSMSBackend.outbox.clear()


def last_code(phone: str) -> str:
    """The 6-digit code in the newest SMS to `phone`."""
    for to, message in reversed(ConsoleSMSBackend.outbox):
        if to == phone:
            return re.search(r"\d{6}", message).group(0)
    raise AssertionError(f"no SMS to {phone}")


def messages_to(phone: str) -> list[str]:
    return [message for to, message in ConsoleSMSBackend.outbox if to == phone]
