"""The SMS seam: templates pass through, older backends keep working, and the demo's
console backend prints each SMS (a sign-in code included) to the terminal."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from lms.notifications import ConsoleSMSBackend, send_sms

ROOT = Path(__file__).resolve().parents[2]


class TwoArgumentBackend:
    """A backend written for the older seam: send(phone, message) only."""

    sent: list[tuple[str, str]] = []

    def send(self, phone, message):
        self.sent.append((phone, message))


class RecordingBackend:
    calls: list[dict] = []

    def send(self, phone, message, **kwargs):
        self.calls.append({"phone": phone, "message": message, **kwargs})


def test_template_and_params_reach_the_backend(settings):
    settings.SMS_BACKEND = "tests.lms.test_sms_seam.RecordingBackend"
    RecordingBackend.calls.clear()
    send_sms("13800000001", "验证码 123456", template="login_code", params={"code": "123456"})
    assert RecordingBackend.calls == [
        {
            "phone": "13800000001",
            "message": "验证码 123456",
            "template": "login_code",
            "params": {"code": "123456"},
        }
    ]


def test_a_backend_of_the_older_seam_still_gets_free_text(settings):
    settings.SMS_BACKEND = "tests.lms.test_sms_seam.TwoArgumentBackend"
    TwoArgumentBackend.sent.clear()
    send_sms("13800000001", "您的证书将于下月到期。")
    assert TwoArgumentBackend.sent == [("13800000001", "您的证书将于下月到期。")]


def test_no_number_sends_nothing(settings):
    settings.SMS_BACKEND = "tests.lms.test_sms_seam.RecordingBackend"
    RecordingBackend.calls.clear()
    send_sms("", "x", template="login_code", params={"code": "1"})
    assert RecordingBackend.calls == []


def test_console_backend_keeps_the_message_and_logs_it_with_the_number_masked(settings, caplog):
    settings.SMS_BACKEND = "lms.notifications.ConsoleSMSBackend"
    ConsoleSMSBackend.outbox.clear()
    caplog.set_level(logging.INFO, logger="lms.notifications")
    send_sms("13912345678", "验证码 654321", template="login_code", params={"code": "654321"})
    assert ConsoleSMSBackend.outbox == [("13912345678", "验证码 654321")]
    assert "139****5678" in caplog.text and "654321" in caplog.text
    assert "13912345678" not in caplog.text


def test_make_run_prints_each_sms_to_the_terminal():
    """Under the settings `make run` uses, the console backend's line reaches stderr."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "SMS_BACKEND")
    }
    env.update({"DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "lms.settings"})
    code = (
        "import django; django.setup(); from lms.notifications import send_sms; "
        "send_sms('13800000001', '【上海家政】您的登录验证码是 246810', "
        "template='login_code', params={'code': '246810'})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "SMS to 138****0001: 【上海家政】您的登录验证码是 246810" in result.stderr
