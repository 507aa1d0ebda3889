"""Writes of the certificates app: issue, render, renew, reissue, revoke, remind, bulk jobs.

Every write is one atomic function that audits who did what and why, and
sends its side effects (rendering, notifications) only after commit.
Numbers are gap-free per type and year: the ``CertificateSequence`` row is
locked (``select_for_update``) and counted up in the same transaction that
inserts the certificate, so a rolled-back issue gives its number back.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import logging
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.audit import audit, audit_many
from lms.masking import mask_name, mask_tail
from lms.notifications import send_email, send_sms
from registry.models import FilingStatus
from registry.selectors.credit import blacklisted_worker_ids, worker_is_blacklisted
from registry.selectors.filings import worker_filing_status
from registry.selectors.workers import worker_current_employment

from . import credentials, pdf, selectors
from . import purge as edge_purge
from .credential_services import credential_record, status_lists_rebuild_after_commit
from .models import (
    Certificate,
    CertificateBatch,
    CertificateSequence,
    CertificateType,
    RenewalRule,
)

logger = logging.getLogger(__name__)

RENDER_TASK = "certificates.tasks.certificate_render_task"
RENDER_MANY_TASK = "certificates.tasks.certificate_render_many"
TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters


class CertificateRefused(ValidationError):
    """A certificate cannot be issued (or renewed); ``message`` says why in plain Chinese."""


# --- small pure helpers ------------------------------------------------------


def new_token() -> str:
    """A random verification token (192 bits, URL-safe); never derived from the number."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def format_number(code: str, year: int, value: int) -> str:
    """SH-JZ-2026-000123: the type's code, the year of issue, a six-digit sequence."""
    return f"SH-{code.upper()}-{year}-{value:06d}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(issued_on: datetime.date, validity_months: int) -> datetime.date:
    """The last valid day: the day before the same date `validity_months` later."""
    return add_months(issued_on, validity_months) - datetime.timedelta(days=1)


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _next_number(cert_type: CertificateType, year: int) -> str:
    """Count the type's sequence for `year` up by one, under a row lock (call inside a transaction)."""
    sequence = _lock_sequences({(cert_type.pk, year)})[(cert_type.pk, year)]
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return format_number(cert_type.code, year, sequence.last_value)


def _agency_of(worker):
    """The worker's current agency: the open employment's, else the filing agency."""
    employment = worker_current_employment(worker)
    if employment is not None:
        return employment.agency
    return worker.agency


def _holder_refusal(status: str | None, *, blacklisted: bool) -> CertificateRefused | None:
    """Why a worker with this filing status (and blacklisting) gets no certificate, or None."""
    if status != FilingStatus.APPROVED:
        label = FilingStatus(status).label if status else _("未备案")
        return CertificateRefused(
            _("备案未通过审核（当前状态：%(status)s），不能发证。") % {"status": label},
            code="filing_not_approved",
        )
    if blacklisted:
        return CertificateRefused(_("该服务员已被列入黑名单，不能发证。"), code="blacklisted")
    return None


def _check_holder(worker) -> None:
    """Refuse a worker whose filing is not approved, or who is blacklisted."""
    status = worker_filing_status(worker)
    refusal = _holder_refusal(
        status,
        blacklisted=status == FilingStatus.APPROVED and worker_is_blacklisted(worker),
    )
    if refusal is not None:
        raise refusal


def _after_commit_render(certificate: Certificate) -> None:
    _after_commit_render_many([certificate.pk])


def _after_commit_render_many(certificate_ids: list[int]) -> None:
    """After commit, one message renders them all (one per certificate when alone)."""
    from lms.tasks import send_task_by_name

    if len(certificate_ids) == 1:
        send_task_by_name(RENDER_TASK, certificate_ids[0])
    elif certificate_ids:
        send_task_by_name(RENDER_MANY_TASK, list(certificate_ids))


def _create(
    *,
    cert_type: CertificateType,
    worker,
    number: str,
    issued_on: datetime.date,
    origin: str,
    acting_user,
    attempt=None,
    revision: int = 1,
    expires_on: datetime.date | None = None,
    agency=None,
    card_number: str | None = None,
) -> Certificate:
    return Certificate.objects.create(
        type=cert_type,
        number=number,
        token=new_token(),
        worker=worker,
        attempt=attempt,
        agency=agency if agency is not None else _agency_of(worker),
        card_number=card_number if card_number is not None else (worker.card_number or ""),
        issued_on=issued_on,
        expires_on=expires_on or expiry_for(issued_on, cert_type.validity_months),
        revision=revision,
        origin=origin,
        issued_by=_user(acting_user),
    )


def _supersede(old: Certificate, new: Certificate) -> None:
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    # The old certificate's verifiable credential no longer counts: set its status bit.
    status_lists_rebuild_after_commit(certificate_ids=[old.pk])


# --- issue --------------------------------------------------------------------


def certificate_issue(*, attempt, acting_user=None) -> Certificate:
    """Issue the certificate a passed attempt earns; the PDF is rendered after commit.

    Idempotent per attempt: a second call (or a concurrent one) returns the
    certificate already issued for it (the newest of its chain). A holder
    who still has a current certificate of the type gets a renewal: the new
    certificate supersedes the old one. Raises :class:`CertificateRefused`.
    """
    if attempt.status != "graded" or not attempt.passed:
        existing = Certificate.objects.filter(attempt=attempt).order_by("pk").first()
        if existing is not None:
            return selectors.current_certificate(existing)
        raise CertificateRefused(_("这次考试没有通过，不能发证。"), code="not_passed")
    outcome = certificates_issue(attempt_ids=[attempt.pk], acting_user=acting_user)[attempt.pk]
    if isinstance(outcome, CertificateRefused):
        raise outcome
    return selectors.current_certificate(outcome)


def certificates_issue(
    *, attempt_ids, acting_user=None
) -> dict[int, Certificate | CertificateRefused]:
    """Issue the certificates a chunk of passed attempts earn, in a constant number of queries.

    Returns, per attempt id, its certificate (the one issued now or, for an
    attempt that already has one, the first of its chain) or the
    :class:`CertificateRefused` saying why there is none. The same rules as
    for one attempt: refusal of a filing not approved or of a blacklisted
    holder, renewal of a current certificate of the type (also within the
    chunk, in the order the attempts were passed), one audit entry per
    issue and per superseded certificate, rendering after commit.

    The facts are read for the whole chunk before any lock is taken; then
    one transaction locks each (type, year) sequence row once, takes the
    next block of numbers, re-checks under the lock which attempts a
    concurrent issue has served meanwhile, and inserts the certificates and
    their audit entries in bulk. Numbers stay gap-free: a rolled-back chunk
    gives its whole block back.
    """
    ids = list(dict.fromkeys(attempt_ids))
    outcome: dict[int, Certificate | CertificateRefused] = dict(_certificates_of_attempts(ids))
    todo = [pk for pk in ids if pk not in outcome]
    if not todo:
        return outcome
    today = timezone.localdate()
    candidates = []
    for attempt, cert_type, refusal in _issue_checks(todo, today):
        if refusal is not None:
            outcome[attempt.pk] = refusal
        else:
            candidates.append((attempt, cert_type))
    for pk in todo:
        outcome.setdefault(
            pk, CertificateRefused(_("这次考试没有通过，不能发证。"), code="not_passed")
        )
    for tries in range(3):
        try:
            outcome.update(_issue_locked(candidates, today=today, acting_user=acting_user))
            break
        except IntegrityError:
            # The attempt's unique constraint caught a race the sequence lock
            # could not (two issues across a year boundary lock different
            # rows): retry; the re-check under the lock now sees the winner.
            if tries == 2:
                raise
    return outcome


def _certificates_of_attempts(attempt_ids) -> dict[int, Certificate]:
    """The first certificate issued for each of these attempts (one query)."""
    found: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(attempt_id__in=attempt_ids).order_by("pk"):
        found.setdefault(certificate.attempt_id, certificate)
    return found


def _issue_checks(attempt_ids, today):
    """(attempt, type, refusal or None) for the passed ones among `attempt_ids`, oldest first.

    Five queries whatever the number: the attempts with exam, worker and
    filing agency; the workers' filings; their open employments with the
    agency; the types of the exams; the blacklisted among the workers.
    """
    from django.db.models import Prefetch, prefetch_related_objects

    from exams import selectors as exam_selectors
    from registry.models import Employment

    attempts = list(
        exam_selectors.passed_attempts().filter(pk__in=attempt_ids).select_related("worker__agency")
    )
    if not attempts:
        return []
    workers = list({a.worker_id: a.worker for a in attempts}.values())
    prefetch_related_objects(
        workers,
        Prefetch("filings", to_attr="prefetched_filings"),
        Prefetch(
            "employments",
            queryset=Employment.objects.filter(end_date__isnull=True).select_related("agency"),
            to_attr="prefetched_employments",
        ),
    )
    types = selectors.certificate_types_for_exams({a.exam_id for a in attempts})
    blacklisted = set(
        blacklisted_worker_ids(today=today).filter(worker_id__in=[w.pk for w in workers])
    )
    checked = []
    for attempt in attempts:
        cert_type = types.get(attempt.exam_id)
        if cert_type is None:
            refusal = CertificateRefused(_("这门考试没有对应的证书。"), code="no_type")
        else:
            refusal = _holder_refusal(
                worker_filing_status(attempt.worker),
                blacklisted=attempt.worker_id in blacklisted,
            )
        checked.append((attempt, cert_type, refusal))
    return checked


def _lock_sequences(keys) -> dict[tuple[int, int], CertificateSequence]:
    """Lock the (type id, year) sequence rows, creating missing ones, always in the same order."""
    keys = sorted(keys)
    CertificateSequence.objects.bulk_create(
        [CertificateSequence(type_id=t, year=y, last_value=0) for t, y in keys],
        ignore_conflicts=True,
    )
    wanted = Q()
    for type_id, year in keys:
        wanted |= Q(type_id=type_id, year=year)
    rows = (
        CertificateSequence.objects.select_for_update().filter(wanted).order_by("type_id", "year")
    )
    return {(row.type_id, row.year): row for row in rows}


@transaction.atomic
def _issue_locked(candidates, *, today, acting_user) -> dict[int, Certificate]:
    """Number, insert, audit and schedule rendering for checked attempts (one transaction)."""
    if not candidates:
        return {}
    year = today.year
    sequences = _lock_sequences({(cert_type.pk, year) for _, cert_type in candidates})
    # Under the lock: a concurrent issue of the same attempts has committed by now.
    issued = _certificates_of_attempts([attempt.pk for attempt, _ in candidates])
    fresh = [(a, t) for a, t in candidates if a.pk not in issued]
    current: dict[tuple[int, int], Certificate] = {}
    if fresh:
        for previous in (
            Certificate.objects.select_for_update()
            .current()
            .filter(
                worker_id__in={a.worker_id for a, _ in fresh},
                type_id__in={t.pk for _, t in fresh},
            )
            .order_by("issued_on", "pk")
        ):
            current[(previous.worker_id, previous.type_id)] = previous  # the newest wins
    user = _user(acting_user)
    created, renews = [], []
    for attempt, cert_type in fresh:
        sequence = sequences[(cert_type.pk, year)]
        sequence.last_value += 1
        worker = attempt.worker
        previous = current.get((worker.pk, cert_type.pk))
        certificate = Certificate(
            type=cert_type,
            number=format_number(cert_type.code, year, sequence.last_value),
            token=new_token(),
            worker=worker,
            attempt=attempt,
            agency=_agency_of(worker),
            card_number=worker.card_number or "",
            issued_on=today,
            expires_on=expiry_for(today, cert_type.validity_months),
            revision=1,
            origin=Certificate.Origin.RENEWAL if previous else Certificate.Origin.ISSUE,
            issued_by=user,
        )
        created.append(certificate)
        renews.append(previous)
        current[(worker.pk, cert_type.pk)] = certificate
    if not created:
        return issued
    for sequence in sequences.values():
        CertificateSequence.objects.filter(pk=sequence.pk).update(last_value=sequence.last_value)
    Certificate.objects.bulk_create(created)
    superseded = []
    for certificate, previous in zip(created, renews, strict=True):
        if previous is not None:
            previous.superseded_by = certificate
            superseded.append(previous)
    if superseded:
        Certificate.objects.bulk_update(superseded, ["superseded_by"])
        status_lists_rebuild_after_commit(certificate_ids=[c.pk for c in superseded])
    entries = [
        (
            certificate,
            "certificates.issue",
            {
                "number": certificate.number,
                "attempt": certificate.attempt_id,
                "worker": certificate.worker_id,
                "type": certificate.type.code,
                "agency": certificate.agency_id,
                "renews": previous.number if previous else None,
            },
        )
        for certificate, previous in zip(created, renews, strict=True)
    ]
    entries += [
        (old, "certificates.supersede", {"by": old.superseded_by.number, "reason": "renewal"})
        for old in superseded
    ]
    audit_many(entries, user=acting_user)
    edge_purge.tokens_after_commit(*[c.token for c in created], *[c.token for c in superseded])
    _after_commit_render_many([c.pk for c in created if c.superseded_by_id is None])
    issued.update({c.attempt_id: c for c in created})
    return issued


@transaction.atomic
def certificate_grant(
    *,
    worker,
    cert_type: CertificateType,
    acting_user,
    reason: str,
    issued_on: datetime.date | None = None,
) -> Certificate:
    """Issue a certificate without an exam attempt: a paper certificate of the earlier
    city system carried over, or a regulator's decision. Same checks and numbering
    as :func:`certificate_issue` (numbered in the year of `issued_on`)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写发证依据。")}, code="reason")
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        raise ValidationError({"issued_on": _("发证日期不能晚于今天。")}, code="future")
    _check_holder(worker)
    number = _next_number(cert_type, issued_on.year)
    previous = (
        Certificate.objects.select_for_update()
        .current()
        .filter(worker=worker, type=cert_type)
        .order_by("-issued_on", "-pk")
        .first()
    )
    certificate = _create(
        cert_type=cert_type,
        worker=worker,
        number=number,
        issued_on=issued_on,
        origin=Certificate.Origin.RENEWAL if previous else Certificate.Origin.ISSUE,
        acting_user=acting_user,
    )
    if previous is not None:
        _supersede(previous, certificate)
        audit(previous, "certificates.supersede", user=acting_user, data={"by": number})
        edge_purge.tokens_after_commit(previous.token)
    edge_purge.tokens_after_commit(certificate.token)
    audit(
        certificate,
        "certificates.issue",
        user=acting_user,
        data={"number": number, "worker": worker.pk, "type": cert_type.code, "reason": reason},
    )
    _after_commit_render(certificate)
    return certificate


@transaction.atomic
def certificate_renew(*, certificate: Certificate, acting_user=None) -> Certificate:
    """Renew a certificate whose type is renewed by a refresher course.

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
    _check_holder(old.worker)
    number = _next_number(cert_type, today.year)
    new = _create(
        cert_type=cert_type,
        worker=old.worker,
        number=number,
        issued_on=today,
        origin=Certificate.Origin.RENEWAL,
        acting_user=acting_user,
    )
    _supersede(old, new)
    audit(
        new,
        "certificates.renew",
        user=acting_user,
        data={"number": new.number, "renews": old.number, "rule": cert_type.renewal_rule},
    )
    audit(old, "certificates.supersede", user=acting_user, data={"by": new.number})
    edge_purge.tokens_after_commit(old.token, new.token)
    _after_commit_render(new)
    return new


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, acting_user, reason: str) -> Certificate:
    """Reissue a lost or damaged certificate: same number and dates, next revision, new token.

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
    new = _create(
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
    _supersede(old, new)
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
    edge_purge.tokens_after_commit(old.token, new.token)
    _after_commit_render(new)
    return new


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, acting_user, reason: str) -> Certificate:
    """Revoke a current certificate with a reason; idempotent (revoking twice changes nothing)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销原因。")}, code="reason")
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.revoked_at is not None:
        return cert
    if cert.superseded_by_id is not None:
        raise ValidationError(_("这张证书已被新证书取代，请撤销最新的证书。"), code="superseded")
    cert.revoked_at = timezone.now()
    cert.revoked_reason = reason
    cert.revoked_by = _user(acting_user)
    cert.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    audit(cert, "certificates.revoke", user=acting_user, data={"reason": reason})
    edge_purge.tokens_after_commit(cert.token)
    status_lists_rebuild_after_commit(certificate_ids=[cert.pk])
    return cert


def certificates_revoke_for_worker(*, worker, reason: str, acting_user=None) -> list[Certificate]:
    """Revoke every current certificate of a worker (e.g. on blacklisting); returns those revoked."""
    revoked = []
    ids = list(Certificate.objects.current().filter(worker=worker).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            cert = Certificate.objects.select_for_update().get(pk=pk)
            if cert.is_current:
                revoked.append(
                    certificate_revoke(certificate=cert, acting_user=acting_user, reason=reason)
                )
    return revoked


# --- rendering ----------------------------------------------------------------

_seal_cache: dict[str, bytes] = {}


def _seal_bytes(cert_type: CertificateType) -> bytes | None:
    """The seal image's file, read once per process and file name."""
    image = cert_type.seal_image
    if image is None or not image.file:
        return None
    name = image.file.name
    data = _seal_cache.get(name)
    if data is None:
        with image.file.open("rb") as fh:
            data = fh.read()
        if len(_seal_cache) > 32:
            _seal_cache.clear()
        _seal_cache[name] = data
    return data


def _photo_bytes(worker) -> bytes | None:
    if not worker.photo:
        return None
    try:
        with worker.photo.open("rb") as fh:
            return fh.read()
    except OSError:
        logger.warning("Photo of worker %s is missing from storage", worker.pk)
        return None


def certificate_content(certificate: Certificate) -> pdf.CertificateContent:
    """The plain data printed on a certificate: masked name and card number, no ID or phone."""
    cert_type = certificate.type
    return pdf.CertificateContent(
        number=certificate.number,
        type_name=cert_type.name,
        title=cert_type.pdf_title or cert_type.name,
        wording=cert_type.pdf_wording,
        issuer=cert_type.issuing_authority,
        holder_name=mask_name(certificate.worker.name),
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        verify_url=selectors.verify_url(certificate.token),
        card_number=mask_tail(certificate.card_number) if certificate.card_number else "",
        agency_name=certificate.agency.name if certificate.agency else "",
        revision=certificate.revision,
        photo=_photo_bytes(certificate.worker),
        seal=_seal_bytes(cert_type),
    )


def _files_present(certificate: Certificate) -> bool:
    return bool(
        certificate.pdf
        and certificate.card_pdf
        and certificate.pdf.storage.exists(certificate.pdf.name)
        and certificate.card_pdf.storage.exists(certificate.card_pdf.name)
    )


def certificate_render(*, certificate_id: int, force: bool = False) -> bool:
    """Render the PDF and the card of one current certificate, unless already current.

    Idempotent: re-running for the same revision and template does nothing
    and returns False. The row is locked while rendering, so two workers
    never write the same certificate twice. Old files are deleted after commit.
    Errors propagate (the render task retries on ``OSError``).
    """
    return _render_group([certificate_id], force=force, failed=None) == 1


#: Certificates locked, rendered and updated together by :func:`certificates_render`.
RENDER_GROUP = 50


def certificates_render(*, certificate_ids, force: bool = False) -> RenderResult:
    """Render several certificates as :func:`certificate_render` does, in groups of 50.

    Each group is one transaction: its rows are locked in one query (in
    primary-key order, so overlapping groups cannot deadlock) and updated in
    one. A certificate that fails is logged, reported in ``failed`` and left
    for the reconciler, which re-sends every current certificate still
    without its files; the others in its group are still rendered.
    """
    ids = list(dict.fromkeys(certificate_ids))
    result = RenderResult()
    for start in range(0, len(ids), RENDER_GROUP):
        group = ids[start : start + RENDER_GROUP]
        try:
            result.rendered += _render_group(group, force=force, failed=result.failed)
        except Exception as exc:  # noqa: BLE001 - a database error: the next group may still go
            logger.exception("Rendering certificates %s..%s failed", group[0], group[-1])
            result.failed.update({pk: str(exc)[:200] for pk in group})
    return result


@dataclass
class RenderResult:
    rendered: int = 0
    #: Certificate id → error message, for those that could not be rendered.
    failed: dict = field(default_factory=dict)


@dataclass
class RerenderResult:
    checked: int = 0  # current certificates with stored files looked at
    deficient: int = 0  # of them, drawn by a deficient font (or all, with `everything`)
    rendered: int = 0  # redrawn here (0 when sent to the workers)
    failed: dict = field(default_factory=dict)


def certificates_rerender_deficient_pdfs(
    *, everything: bool = False, queue: bool = False, chunk: int = 200, progress=None
) -> RerenderResult:
    """Redraw the stored PDFs and cards that a deficient font left without digits or Latin.

    A certificate rendered since fonts are recorded is judged by ``pdf_fonts``;
    an older one by the faces its stored PDF embeds (a sound one gets them
    recorded, so the next run skips it). Each deficient certificate's
    ``pdf_revision`` is cleared before it is drawn, so if this run stops, the
    reconciler (``certificates_needing_pdf``) finishes the job. With `queue`
    the drawing is left to the Celery workers, `chunk` certificates a message.
    `progress(result)` is called after every chunk.
    """
    result = RerenderResult()
    current = (
        Certificate.objects.current()
        .exclude(pdf="")
        .only("pk", "pdf", "card_pdf", "pdf_fonts")
        .order_by("pk")
    )
    batch: list[int] = []

    def flush():
        ids = list(batch)
        batch.clear()
        with transaction.atomic():
            Certificate.objects.filter(pk__in=ids).update(pdf_revision="")
            if queue:
                _after_commit_render_many(ids)
        if not queue:
            rendered = certificates_render(certificate_ids=ids)
            result.rendered += rendered.rendered
            result.failed.update(rendered.failed)
        if progress is not None:
            progress(result)

    for certificate in current.iterator(chunk_size=chunk):
        result.checked += 1
        if everything or _pdf_is_deficient(certificate):
            result.deficient += 1
            batch.append(certificate.pk)
            if len(batch) >= chunk:
                flush()
    if batch:
        flush()
    elif progress is not None:
        progress(result)
    return result


def _pdf_is_deficient(certificate: Certificate) -> bool:
    if certificate.pdf_fonts:
        return pdf.faces_are_deficient(certificate.pdf_fonts.split("+"))
    faces = set()
    for stored in (certificate.pdf, certificate.card_pdf):
        if not stored:
            continue
        try:
            with stored.open("rb") as fh:
                faces |= pdf.embedded_faces(fh.read())
        except OSError:
            return True  # a file gone missing is redrawn too
    if pdf.faces_are_deficient(faces):
        return True
    if faces:
        Certificate.objects.filter(pk=certificate.pk, pdf_fonts="").update(
            pdf_fonts="+".join(sorted(faces))[:200]
        )
    return False


def _render_group(ids, *, force: bool, failed: dict | None) -> int:
    """Lock, render and update the certificates `ids` in one transaction; returns how many.

    With `failed` None the first error propagates; otherwise it is logged and
    recorded there, and the group goes on.
    """
    font = getattr(settings, "CERTIFICATES_FONT_PATH", None) or None
    with transaction.atomic():
        certificates = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("type", "type__seal_image", "worker", "agency")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        changed, old_files = [], []
        for cert in certificates:
            if not cert.is_current:
                continue
            expected = selectors.expected_pdf_revision(cert)
            if not force and cert.pdf_revision == expected and _files_present(cert):
                continue
            try:
                old_files += _render_files(cert, font)
            except Exception as exc:
                if failed is None:
                    raise
                logger.exception("Rendering certificate %s failed", cert.pk)
                failed[cert.pk] = str(exc)[:200]
                continue
            cert.pdf_revision = expected
            cert.pdf_fonts = pdf.font_signature(font)
            changed.append(cert)
        if changed:
            Certificate.objects.bulk_update(
                changed, ["pdf", "card_pdf", "pdf_revision", "pdf_fonts"]
            )
            storage = changed[0].pdf.storage
            transaction.on_commit(lambda: _delete_files(storage, old_files))
    return len(changed)


def _render_files(cert: Certificate, font) -> list[str]:
    """Render and store the certificate's PDF and card (not saved); returns the old file names."""
    content = certificate_content(cert)
    with translation.override(settings.LANGUAGE_CODE):
        certificate_pdf = pdf.render_certificate(content, font_path=font)
        card_pdf = pdf.render_card(content, font_path=font)
    old_files = [f.name for f in (cert.pdf, cert.card_pdf) if f]
    # Random file names: media may be served by the web server, so a
    # name must not be guessable from the number.
    stem = f"{cert.number}-r{cert.revision}-{secrets.token_urlsafe(12)}"
    cert.pdf.save(f"{stem}.pdf", ContentFile(certificate_pdf), save=False)
    cert.card_pdf.save(f"{stem}-card.pdf", ContentFile(card_pdf), save=False)
    return old_files


def certificates_zip(*, certificates, empty_note: str | None = None):
    """The given certificates' PDF and card as one ZIP, rendering missing files first.

    Returns an open file positioned at the start, spooled to disk so a large
    agency's ZIP never sits in memory whole. With `empty_note`, an archive
    holding no PDF gets a README.txt with that text instead of being empty.
    Where this site signs credentials, each certificate's Open Badges
    credential (masked name) is in it too, as ``….credential.json``.
    """
    with_credentials = credentials.credentials_enabled()
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    count = 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates.iterator(chunk_size=200):
            certificate_render(certificate_id=certificate.pk)
            certificate.refresh_from_db(fields=["pdf", "card_pdf"])
            base = f"{certificate.number}-{certificate.worker.name}"
            if with_credentials:
                record = credential_record(certificate=certificate)
                credential = credentials.credential_for(certificate, record)
                archive.writestr(
                    f"{base}.credential.json", credentials.credential_bytes(credential)
                )
            for field, suffix in ((certificate.pdf, ""), (certificate.card_pdf, "-card")):
                if not field:
                    continue
                try:
                    with field.open("rb") as fh:
                        archive.writestr(f"{base}{suffix}.pdf", fh.read())
                except (OSError, ValueError):
                    continue
                count += 1
        if not count and empty_note:
            archive.writestr("README.txt", empty_note)
    spool.seek(0)
    return spool


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):  # a file already gone is fine
            storage.delete(name)


def certificate_type_regenerate(*, cert_type: CertificateType, acting_user) -> CertificateBatch:
    """After a template change: count the template up and re-render every current certificate."""
    with transaction.atomic():
        CertificateType.objects.filter(pk=cert_type.pk).update(
            template_revision=F("template_revision") + 1
        )
        cert_type.refresh_from_db(fields=["template_revision"])
        total = Certificate.objects.current().filter(type=cert_type).count()
        batch = CertificateBatch.objects.create(
            kind=CertificateBatch.Kind.REGENERATE,
            type=cert_type,
            total=total,
            created_by=_user(acting_user),
        )
        audit(
            cert_type,
            "certificates.type_regenerate",
            user=acting_user,
            data={"template_revision": cert_type.template_revision, "certificates": total},
        )
        _start_batch(batch)
    return batch


def cohort_attempts(*, cert_type: CertificateType, agency=None, since=None) -> list:
    """Passed attempts at the type's exam with no certificate yet (optionally one agency's)."""
    attempts = [
        a
        for a in selectors.attempts_without_certificate(since=since)
        if a.exam_id == cert_type.exam_id
    ]
    if agency is not None:
        attempts = [a for a in attempts if a.worker.agency_id == agency.pk]
    return attempts


def certificate_batch_issue(
    *, cert_type: CertificateType, acting_user, agency=None, since: datetime.date | None = None
) -> CertificateBatch:
    """Issue certificates for a cohort: every passed attempt at the type's exam still without one."""
    if cert_type.exam_id is None:
        raise ValidationError(_("这类证书没有关联考试，不能批量发证。"), code="no_exam")
    since_dt = (
        timezone.make_aware(datetime.datetime.combine(since, datetime.time.min)) if since else None
    )
    with transaction.atomic():
        total = len(cohort_attempts(cert_type=cert_type, agency=agency, since=since_dt))
        batch = CertificateBatch.objects.create(
            kind=CertificateBatch.Kind.ISSUE,
            type=cert_type,
            agency=agency,
            passed_since=since,
            total=total,
            created_by=_user(acting_user),
        )
        audit(
            batch,
            "certificates.batch_issue",
            user=acting_user,
            data={"type": cert_type.code, "agency": agency.pk if agency else None, "total": total},
        )
        _start_batch(batch)
    return batch


BATCH_PLAN_TASK = "certificates.tasks.certificate_batch_plan"


def _start_batch(batch: CertificateBatch) -> None:
    """Send the batch's plan after commit.

    When the task system cannot take it (Redis down), the batch stays pending
    with ``batch.waiting_for_tasks`` set, for the admin to say so, and
    :func:`batches_restart_stuck` starts it once the broker is back.
    """
    from lms.tasks import send_task

    def _send():
        batch.waiting_for_tasks = not send_task(BATCH_PLAN_TASK, batch.pk)

    batch.waiting_for_tasks = False
    transaction.on_commit(_send)


def batch_chunk_size() -> int:
    return getattr(settings, "CERTIFICATES_BATCH_CHUNK", 200)


def batch_stale_seconds() -> int:
    """Seconds without progress after which an unfinished batch counts as stuck
    (``CERTIFICATES_BATCH_STALE_SECONDS``): longer than any one chunk takes."""
    return getattr(settings, "CERTIFICATES_BATCH_STALE_SECONDS", 10 * 60)


def _alive_name(batch_id: int) -> str:
    return f"certificates.batch:{batch_id}"


def batches_restart_stuck(*, now: datetime.datetime | None = None) -> list[int]:
    """Restart every unfinished batch that showed no progress for :func:`batch_stale_seconds`.

    Its messages were lost (a broker outage, a worker killed): the plan never
    came, or chunks never ran. Progress is the batch's heartbeat (lms.heartbeat),
    written when it is planned, after each chunk and at each restart; a batch
    that never had one counts from its creation. Returns the restarted ids.
    """
    from lms.heartbeat import heartbeats_last

    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=batch_stale_seconds())
    unfinished = dict(
        CertificateBatch.objects.exclude(state=CertificateBatch.State.DONE)
        .filter(created_at__lt=cutoff)
        .values_list("pk", "created_at")
    )
    alive = heartbeats_last(names=[_alive_name(pk) for pk in unfinished])
    stuck = [
        pk
        for pk, created_at in unfinished.items()
        if alive.get(_alive_name(pk), created_at) < cutoff
    ]
    for pk in stuck:
        batch_restart(batch_id=pk)
    return stuck


@transaction.atomic
def batch_restart(*, batch_id: int) -> None:
    """Plan an unfinished batch again, from what the database says is still undone.

    Safe to repeat: issuing is idempotent per attempt (a certificate already
    issued is found, not issued again) and rendering skips current files. An
    issue batch keeps its count of issued certificates and plans the rest; a
    regenerate batch starts its count again. Refusals are asked again.
    """
    from lms.heartbeat import heartbeat_record

    batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
    if batch.state == CertificateBatch.State.DONE:
        return
    logger.warning(
        "Restarting stuck certificate batch %s (%s/%s)", batch.pk, batch.done, batch.total
    )
    batch.state = CertificateBatch.State.PENDING
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        batch.done = 0
    batch.failed = 0
    batch.errors = []
    batch.save(update_fields=["state", "done", "failed", "errors"])
    heartbeat_record(name=_alive_name(batch.pk))
    _start_batch(batch)


def batch_plan(*, batch_id: int) -> list[list[int]]:
    """The id chunks a batch works through (certificates to render, or attempts to issue for)."""
    batch = CertificateBatch.objects.select_related("type", "agency").get(pk=batch_id)
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        ids = list(
            Certificate.objects.current()
            .filter(type=batch.type)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    else:
        since = (
            timezone.make_aware(datetime.datetime.combine(batch.passed_since, datetime.time.min))
            if batch.passed_since
            else None
        )
        ids = [
            a.pk for a in cohort_attempts(cert_type=batch.type, agency=batch.agency, since=since)
        ]
    # A restarted issue batch plans only what is still undone; what it issued before counts.
    already = batch.done if batch.kind == CertificateBatch.Kind.ISSUE else 0
    CertificateBatch.objects.filter(pk=batch.pk).update(
        state=CertificateBatch.State.RUNNING if ids else CertificateBatch.State.DONE,
        total=already + len(ids),
        finished_at=None if ids else timezone.now(),
    )
    _record_alive(batch.pk, finished=not ids)
    size = batch_chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def batch_run_chunk(*, batch_id: int, ids: list[int]) -> tuple[int, int]:
    """Work one chunk of a batch; progress is counted in the database. Returns (done, failed).

    An issue chunk is issued in one go (:func:`certificates_issue`); its
    certificates are rendered after commit by one render message.
    """
    batch = CertificateBatch.objects.get(pk=batch_id)
    done = failed = 0
    errors = []
    if batch.kind == CertificateBatch.Kind.REGENERATE:
        result = certificates_render(certificate_ids=ids)
        failed = len(result.failed)
        done = len(ids) - failed
        errors = [{"id": pk, "message": message} for pk, message in result.failed.items()]
    else:
        outcome = certificates_issue(attempt_ids=ids, acting_user=batch.created_by)
        for pk in ids:
            result = outcome[pk]
            if isinstance(result, CertificateRefused):
                failed += 1
                errors.append({"id": pk, "message": result.messages[0]})
            else:
                done += 1
    _record_progress(batch_id, done, failed, errors)
    return done, failed


@transaction.atomic
def _record_progress(batch_id: int, done: int, failed: int, errors: list) -> None:
    batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
    batch.done = F("done") + done
    batch.failed = F("failed") + failed
    batch.errors = (batch.errors + errors)[-50:]
    batch.save(update_fields=["done", "failed", "errors"])
    batch.refresh_from_db(fields=["done", "failed", "total"])
    finished = batch.done + batch.failed >= batch.total
    if finished and batch.state != CertificateBatch.State.DONE:
        batch.state = CertificateBatch.State.DONE
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "finished_at"])
    _record_alive(batch_id, finished=finished)


def _record_alive(batch_id: int, *, finished: bool) -> None:
    """The batch's progress, for :func:`batches_restart_stuck`; forgotten once it is done."""
    from lms.heartbeat import heartbeat_forget, heartbeat_record

    if finished:
        heartbeat_forget(name=_alive_name(batch_id))
    else:
        heartbeat_record(name=_alive_name(batch_id))


# --- reminders ----------------------------------------------------------------


@dataclass
class ReminderResult:
    certificates: int = 0
    workers_notified: int = 0
    agencies_notified: int = 0


def certificates_remind_expiring(*, today: datetime.date | None = None, within_days: int = 30):
    """Tell holders (SMS, e-mail) and their agencies (one e-mail each) about certificates
    expiring within `within_days`; each certificate is reminded once per window."""
    today = today or timezone.localdate()
    result = ReminderResult()
    by_agency: dict[int, list[Certificate]] = {}
    agencies = {}
    for cert in selectors.certificates_expiring(today=today, within_days=within_days):
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
