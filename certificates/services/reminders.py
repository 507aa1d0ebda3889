"""Reminding holders and their agencies of certificates about to expire."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.masking import mask_name
from lms.notifications import send_email, send_sms

from ..models import Certificate
from ..selectors.pending import certificates_expiring


@dataclass
class ReminderResult:
    """What one reminder run did: certificates reminded, holders and agencies told."""

    certificates: int = 0
    workers_notified: int = 0
    agencies_notified: int = 0


def certificates_remind_expiring(*, today: datetime.date | None = None, within_days: int = 30):
    """Tell holders (SMS, e-mail) and their agencies (one e-mail each) about certificates
    expiring within `within_days` (the daily task); each is reminded once per window."""
    today = today or timezone.localdate()
    result = ReminderResult()
    by_agency: dict[int, list[Certificate]] = {}
    agencies = {}
    for cert in certificates_expiring(today=today, within_days=within_days):
        with transaction.atomic():
            updated = Certificate.objects.filter(
                pk=cert.pk, expiry_reminded_on=cert.expiry_reminded_on
            ).update(expiry_reminded_on=today)
        if not updated:
            continue  # another run reminded it meanwhile
        result.certificates += 1
        worker = cert.worker
        message = _(
            "【上海家政】您的%(type)s（编号 %(number)s）将于 %(date)s 到期，请及时办理换证。"
        ) % {"type": cert.type.name, "number": cert.number, "date": cert.expires_on.isoformat()}
        sent = False
        if worker.phone:
            send_sms(worker.phone, message)
            sent = True
        email = getattr(worker.user, "email", "") if worker.user_id else ""
        if email:
            send_email([email], _("证书即将到期"), message)
            sent = True
        result.workers_notified += int(sent)
        if cert.agency_id:
            agencies[cert.agency_id] = cert.agency
            by_agency.setdefault(cert.agency_id, []).append(cert)
    for agency_id, certs in by_agency.items():
        agency = agencies[agency_id]
        if not agency.contact_email:
            continue
        lines = [
            _("%(name)s　%(type)s　%(number)s　%(date)s 到期")
            % {
                "name": mask_name(c.worker.name),
                "type": c.type.name,
                "number": c.number,
                "date": c.expires_on.isoformat(),
            }
            for c in certs
        ]
        body = _("以下服务员的证书将在 %(days)d 天内到期，请提醒他们及时换证：") % {
            "days": within_days
        }
        send_email(
            [agency.contact_email],
            _("服务员证书即将到期（%(count)d 张）") % {"count": len(certs)},
            body + "\n\n" + "\n".join(lines),
        )
        result.agencies_notified += 1
    return result
