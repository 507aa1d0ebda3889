"""Reading SMS codes that the console backend "sent" (its outbox), and codes that
the console voice backend "read aloud", for tests."""

import re

from lms.notifications import ConsoleSMSBackend, ConsoleVoiceBackend


def clear_outbox() -> None:
    ConsoleSMSBackend.outbox.clear()
    ConsoleVoiceBackend.outbox.clear()


def last_voice_code(phone: str) -> str:
    """The code read digit by digit ("6 8 4 2 1 3") in the newest call to `phone`."""
    for to, words in reversed(ConsoleVoiceBackend.outbox):
        if to == phone:
            return re.search(r"\d(?: \d){5}", words).group(0).replace(" ", "")
    raise AssertionError(f"no voice call to {phone}")


def last_code(phone: str) -> str:
    """The 6-digit code in the newest SMS to `phone`."""
    for to, message in reversed(ConsoleSMSBackend.outbox):
        if to == phone:
            return re.search(r"\d{6}", message).group(0)
    raise AssertionError(f"no SMS to {phone}")


def messages_to(phone: str) -> list[str]:
    return [message for to, message in ConsoleSMSBackend.outbox if to == phone]
