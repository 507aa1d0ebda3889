"""Replacing a certificate with a new row that supersedes it: a renewal (new number,
after a refresher course) and a reissue (same number and dates, next revision)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.audit import audit
from lms.outbox import EventType

from .. import purge as edge_purge
from ..door_events import door_changes_announce
from ..models import Certificate, RenewalRule
from .changes import certificate_events, certificate_issued
from .common import (
    CertificateRefused,
    check_holder,
    create_certificate,
    next_number,
    render_after_commit,
    supersede,
)


@transaction.atomic
def certificate_renew(*, certificate: Certificate, acting_user=None) -> Certificate:
    """Renew a certificate whose type is renewed by a refresher course (staff with the reissue
    permission); refuses one not current, a type renewed by exam, too early, or before the course.

    Allowed from ``renewal_window_days`` before expiry onwards, once the
    holder completed the type's refresher course after the certificate was
    issued. The new certificate gets a new number and supersedes the old one.
    (Types renewed by re-examination renew through ``certificate_issue``.)
    """
    from courses import selectors as course_selectors

    old = (
        Certificate.objects.select_for_update()
        .select_related("type", "worker")
        .get(pk=certificate.pk)
    )
    cert_type = old.type
    if not old.is_current:
        raise CertificateRefused(_("只能为当前有效的证书换证。"), code="not_current")
    if cert_type.renewal_rule != RenewalRule.REFRESHER or cert_type.refresher_course_id is None:
        raise CertificateRefused(_("这类证书需要重新参加考试来换证。"), code="reexam")
    today = timezone.localdate()
    opens = old.expires_on - datetime.timedelta(days=cert_type.renewal_window_days)
    if today < opens:
        raise CertificateRefused(
            _("%(date)s 起才能换证。") % {"date": opens.isoformat()}, code="too_early"
        )
    enrolment = course_selectors.enrolment_for(worker=old.worker, course=cert_type.refresher_course)
    if (
        enrolment is None
        or enrolment.completed_at is None
        or timezone.localdate(enrolment.completed_at) < old.issued_on
    ):
        raise CertificateRefused(
            _("请先学完复训课程“%(course)s”。") % {"course": cert_type.refresher_course.title},
            code="refresher_missing",
        )
    check_holder(old.worker)
    number = next_number(cert_type, today.year)
    new = create_certificate(
        cert_type=cert_type,
        worker=old.worker,
        number=number,
        issued_on=today,
        origin=Certificate.Origin.RENEWAL,
        acting_user=acting_user,
    )
    supersede(old, new)
    audit(
        new,
        "certificates.renew",
        user=acting_user,
        data={"number": new.number, "renews": old.number, "rule": cert_type.renewal_rule},
    )
    audit(old, "certificates.supersede", user=acting_user, data={"by": new.number})
    certificate_issued(new, replaces=old)
    door_changes_announce([new.worker_id])
    edge_purge.tokens_after_commit(old.token, new.token)
    render_after_commit(new)
    return new


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, acting_user, reason: str) -> Certificate:
    """Reissue a lost or damaged certificate (staff with the reissue permission): same number and
    dates, next revision, new token; refuses an empty reason, a revoked or superseded one.

    The old token then answers "superseded", so a lost card cannot be shown as valid.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写补发原因。")}, code="reason")
    old = (
        Certificate.objects.select_for_update()
        .select_related("type", "worker")
        .get(pk=certificate.pk)
    )
    if old.revoked_at is not None:
        raise ValidationError(_("已撤销的证书不能补发。"), code="revoked")
    if old.superseded_by_id is not None:
        raise ValidationError(_("这张证书已被新证书取代，请对最新的证书补发。"), code="superseded")
    new = create_certificate(
        cert_type=old.type,
        worker=old.worker,
        number=old.number,
        issued_on=old.issued_on,
        expires_on=old.expires_on,
        origin=Certificate.Origin.REISSUE,
        acting_user=acting_user,
        revision=old.revision + 1,
        agency=old.agency,
        card_number=old.card_number,
    )
    supersede(old, new)
    if old.attempt_id:
        # The attempt moves to the new revision once the old one no longer counts.
        new.attempt_id = old.attempt_id
        new.save(update_fields=["attempt"])
    audit(
        new,
        "certificates.reissue",
        user=acting_user,
        data={"number": new.number, "revision": new.revision, "reason": reason},
    )
    audit(old, "certificates.supersede", user=acting_user, data={"by_revision": new.revision})
    certificate_events(
        EventType.CERTIFICATE_REISSUED,
        [new],
        extra={new.pk: {"replaces_revision": old.revision}},
    )
    door_changes_announce([new.worker_id])
    edge_purge.tokens_after_commit(old.token, new.token)
    render_after_commit(new)
    return new
