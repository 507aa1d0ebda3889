"""The SMS a household receives about its complaint, through the ``SMS_BACKEND`` seam.

Each message names the tracking number and the status, never a person: no
worker's name, no phone number, no internal note. Each has a template key for
a provider backend (``ALIYUN_SMS_TEMPLATES``: ``complaint_received``,
``complaint_status``). Sent after commit and ``robust``: a failed SMS never
undoes a filed complaint or a decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.crypto import decrypt
from lms.notifications import send_sms

from ..models import Complaint


def tracking_url(number: str) -> str:
    """The status page's address for a tracking number (the number names nobody)."""
    return f"{settings.SITE_URL}{reverse('complaints:track')}?number={number}"


def received_message(complaint: Complaint) -> str:
    return _(
        "【上海家政】您的投诉已受理，编号 %(number)s，将于 %(due)s 前办结。"
        "查询进度：%(url)s （需输入手机号后四位）"
    ) % {
        "number": complaint.number,
        "due": complaint.due_on.isoformat(),
        "url": tracking_url(complaint.number),
    }


def status_message(complaint: Complaint) -> str:
    if complaint.is_closed:
        status = complaint.get_outcome_display()
    else:
        status = complaint.get_status_display()
    return _("【上海家政】您的投诉 %(number)s 进展：%(status)s。查询详情：%(url)s") % {
        "number": complaint.number,
        "status": status,
        "url": tracking_url(complaint.number),
    }


def _send_after_commit(complaint: Complaint, message: str, template: str, params: dict) -> None:
    phone = decrypt(complaint.phone_encrypted)
    transaction.on_commit(
        lambda: send_sms(phone, message, template=template, params=params), robust=True
    )


def notify_received(complaint: Complaint) -> None:
    """After commit: the household's tracking number."""
    _send_after_commit(
        complaint,
        received_message(complaint),
        "complaint_received",
        {"number": complaint.number, "due": complaint.due_on.isoformat()},
    )


def notify_status(complaint: Complaint) -> None:
    """After commit: a short note that the complaint moved on."""
    status = (
        complaint.get_outcome_display() if complaint.is_closed else complaint.get_status_display()
    )
    _send_after_commit(
        complaint,
        status_message(complaint),
        "complaint_status",
        {"number": complaint.number, "status": str(status)},
    )
