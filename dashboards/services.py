"""Writes of the dashboards: reminders, exports, snapshots, warnings, monthly reports.

Changes to other apps' data go through their services only (enrolment via
``courses.services``); these functions write the dashboards' own rows.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.selectors.statistics import expiring
from courses import selectors as course_selectors
from exams import selectors as exam_selectors
from lms.audit import audit
from lms.notifications import send_email, send_sms
from registry.models import Worker
from registry.selectors.statistics import regulator_users

from . import writers
from .models import DistrictSnapshot, ExportJob, MonthlyReport, Reminder, SupervisionWarning
from .selectors import figures
from .selectors.early_warnings import OPEN_STATUSES
from .selectors.progress_report import iter_decorated, report_rows
from .selectors.scope import scope_for

logger = logging.getLogger(__name__)

# --- reminders ------------------------------------------------------------------------------

REMINDER_TEXT = {
    Reminder.Reason.LESSONS: "【上海家政平台】%(name)s，您报名的课程还没有学完，请抽空登录继续学习。",
    Reminder.Reason.EXAM_WINDOW: "【上海家政平台】%(name)s，您的考试即将截止，请尽快登录参加考试。",
    Reminder.Reason.CERTIFICATE: "【上海家政平台】%(name)s，您的上门服务证即将到期或已过期，请联系所在企业安排复训换证。",
    Reminder.Reason.HEALTH_CHECK: "【上海家政平台】%(name)s，您的体检即将到期或已过期，请及时体检并把报告交给所在企业。",
}


@dataclass
class ReminderResult:
    """Who a bulk reminder reached, who had one today already, and to whom it did not apply."""

    sent: list = field(default_factory=list)  # worker ids reminded now
    already: list = field(default_factory=list)  # reminded for this reason today already
    not_applicable: list = field(default_factory=list)  # the reason does not apply


def reminder_applicable(workers, reason: str, *, today=None):
    """The workers among `workers` to whom `reason` applies today."""
    today = today or timezone.localdate()
    if reason == Reminder.Reason.LESSONS:
        return course_selectors.workers_with_unfinished_lessons(workers)
    if reason == Reminder.Reason.EXAM_WINDOW:
        ids = exam_selectors.windows_closing(workers).values("worker_id")
        return workers.filter(pk__in=ids)
    if reason == Reminder.Reason.CERTIFICATE:
        ids = expiring(workers, within_days=60, today=today).values("worker_id")
        return workers.filter(pk__in=ids)
    if reason == Reminder.Reason.HEALTH_CHECK:
        return workers.filter(health_check_expiry__lte=today + datetime.timedelta(days=30))
    raise ValueError(reason)


@transaction.atomic
def reminders_send(*, workers, reason: str, acting_user, agency=None) -> ReminderResult:
    """Remind each worker for `reason` at most once a day; delivery runs after commit.

    `workers` must already be scoped to what the acting user may see. The
    unique (worker, reason, day) row is the guard: a second call the same day,
    or a concurrent one, creates no second row and sends nothing more.
    """
    today = timezone.localdate()
    result = ReminderResult()
    selected = list(workers.values_list("pk", flat=True))
    applicable = dict(reminder_applicable(workers, reason, today=today).values_list("pk", "name"))
    result.not_applicable = [pk for pk in selected if pk not in applicable]
    already = set(
        Reminder.objects.filter(
            worker_id__in=list(applicable), reason=reason, sent_on=today
        ).values_list("worker_id", flat=True)
    )
    result.already = sorted(already)
    created_ids = []
    for worker_id, name in applicable.items():
        if worker_id in already:
            continue
        message = REMINDER_TEXT[reason] % {"name": name}
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    worker_id=worker_id,
                    reason=reason,
                    sent_on=today,
                    message=message,
                    sent_by=acting_user
                    if getattr(acting_user, "is_authenticated", False)
                    else None,
                )
        except IntegrityError:
            # Someone else reminded this worker for this reason a moment ago.
            result.already.append(worker_id)
            continue
        created_ids.append(reminder.pk)
        result.sent.append(worker_id)
    if created_ids:
        if agency is not None:
            audit(
                agency,
                "dashboards.reminders_send",
                user=acting_user,
                data={"reason": reason, "workers": result.sent},
            )
        from .tasks import reminders_deliver

        transaction.on_commit(lambda: reminders_deliver.delay(created_ids))
    return result


def reminders_deliver(*, reminder_ids: list[int]) -> int:
    """Send the SMS (and e-mail where the worker's login has one) of each undelivered
    reminder; each at most once, even if the task runs twice."""
    delivered = 0
    for reminder_id in reminder_ids:
        with transaction.atomic():
            reminder = (
                # Lock only the reminder row: the worker's login is an outer join.
                Reminder.objects.select_for_update(of=("self",))
                .select_related("worker__user")
                .filter(pk=reminder_id, delivered_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            worker = reminder.worker
            send_sms(worker.phone, reminder.message)
            email = getattr(worker.user, "email", "") if worker.user_id else ""
            if email:
                send_email([email], str(reminder.get_reason_display()), reminder.message)
            reminder.delivered_at = timezone.now()
            reminder.save(update_fields=["delivered_at"])
            delivered += 1
    return delivered


# --- exports ---------------------------------------------------------------------------------


@transaction.atomic
def export_job_create(*, user, query: str, format: str) -> ExportJob:
    """Queue a spreadsheet of the progress report for `user` (the report's view, for a
    large export); `query` is the report's query string, built after commit in Celery."""
    job = ExportJob.objects.create(user=user, query=query, format=format)
    from .tasks import export_build

    transaction.on_commit(lambda: export_build.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> None:
    """Build one job's file from the rows its user may see with its query string; a job
    already running or done is left alone (safe to run twice); a failure is recorded."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id, status__in=[ExportJob.Status.PENDING, ExportJob.Status.FAILED])
            .first()
        )
        if job is None:
            return
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        scope = scope_for(job.user)
        if scope is None:
            raise PermissionDenied(_("导出人已无权查看这些服务员。"))
        params = QueryDict(job.query, mutable=True)
        params.pop("export", None)
        rows = iter_decorated(report_rows(scope, params))
        sheet = writers.ProgressSheet()
        content = sheet.csv_bytes(rows) if job.format == "csv" else sheet.xlsx_bytes(rows)
        name = f"progress-{timezone.localtime().strftime('%Y%m%d-%H%M%S')}.{job.format}"
        job.file.save(name, ContentFile(content), save=False)
        job.row_count = sheet.rows_written
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "row_count", "status", "finished_at"])
    except Exception as error:
        job.status = ExportJob.Status.FAILED
        job.failure = str(error)[:1000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        raise


# --- snapshots -------------------------------------------------------------------------------


@transaction.atomic
def snapshot_take(*, date: datetime.date | None = None) -> int:
    """Store today's key figures per district; running twice a day keeps one row each."""
    date = date or timezone.localdate()
    by_district = figures.figures_by(Worker.objects.all(), "agency__district", today=date)
    for district, values in by_district.items():
        DistrictSnapshot.objects.update_or_create(
            date=date, district=district, defaults={"figures": values}
        )
    return len(by_district)


# --- warnings ---------------------------------------------------------------------------------


class WarningError(Exception):
    """A warning step the warning's state or the user's scope does not allow (shown to the regulator)."""


@transaction.atomic
def warning_acknowledge(*, warning: SupervisionWarning, acting_user) -> SupervisionWarning:
    """A regulator has seen the warning and is looking into it."""
    warning = SupervisionWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status != SupervisionWarning.Status.OPEN:
        raise WarningError(_("只有待处理的预警可以确认。"))
    warning.status = SupervisionWarning.Status.ACKNOWLEDGED
    warning.acknowledged_at = timezone.now()
    warning.acknowledged_by = acting_user
    warning.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit(warning, "dashboards.warning_acknowledge", user=acting_user)
    return warning


@transaction.atomic
def warning_resolve(*, warning: SupervisionWarning, acting_user, note: str) -> SupervisionWarning:
    """Close the warning with a note saying what was done."""
    note = (note or "").strip()
    if not note:
        raise WarningError(_("请填写处理说明。"))
    warning = SupervisionWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.status == SupervisionWarning.Status.RESOLVED:
        raise WarningError(_("该预警已经解决。"))
    warning.status = SupervisionWarning.Status.RESOLVED
    warning.resolved_at = timezone.now()
    warning.resolved_by = acting_user
    warning.resolution_note = note
    warning.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])
    audit(warning, "dashboards.warning_resolve", user=acting_user, data={"note": note})
    return warning


def warning_raise(*, finding) -> tuple[SupervisionWarning, bool]:
    """Open a warning for a rule finding, or refresh the open one for the same cause.

    Returns (warning, created). The partial unique constraint on (rule,
    subject_key) while open is the guard against a second warning.
    """
    now = timezone.now()
    existing = SupervisionWarning.objects.filter(
        rule=finding.rule,
        subject_key=finding.subject_key,
        status__in=OPEN_STATUSES,
    ).first()
    if existing is not None:
        existing.facts = finding.facts
        existing.last_seen_at = now
        existing.save(update_fields=["facts", "last_seen_at"])
        return existing, False
    try:
        with transaction.atomic():
            warning = SupervisionWarning.objects.create(
                rule=finding.rule,
                subject_key=finding.subject_key,
                subject_label=finding.subject_label[:200],
                district=finding.district or "",
                agency_id=finding.agency_id,
                worker_id=finding.worker_id,
                facts=finding.facts,
                last_seen_at=now,
            )
    except IntegrityError:
        return SupervisionWarning.objects.get(
            rule=finding.rule,
            subject_key=finding.subject_key,
            status__in=OPEN_STATUSES,
        ), False
    audit(warning, "dashboards.warning_open", data={"rule": warning.rule, "facts": warning.facts})
    return warning, True


def warning_autoclose(*, warning: SupervisionWarning, reason: str) -> SupervisionWarning:
    """Close a warning whose cause has gone away, saying so."""
    warning.status = SupervisionWarning.Status.RESOLVED
    warning.resolved_at = timezone.now()
    warning.resolution_note = reason
    warning.auto_closed = True
    warning.save(update_fields=["status", "resolved_at", "resolution_note", "auto_closed"])
    audit(warning, "dashboards.warning_autoclose", data={"reason": reason})
    return warning


def warnings_notify(*, warning_ids: list[int]) -> int:
    """E-mail each new warning to the regulators of its district (once)."""
    sent = 0
    for warning in SupervisionWarning.objects.filter(pk__in=warning_ids, notified_at__isnull=True):
        users = regulator_users(district=warning.district) if warning.district else []
        if not users:
            users = regulator_users(district="")
        recipients = [u.email for u in users if u.email]
        subject = _("【预警】%(rule)s：%(subject)s") % {
            "rule": warning.get_rule_display(),
            "subject": warning.subject_label,
        }
        lines = [subject, ""]
        lines += [f"{key}: {value}" for key, value in warning.facts.items()]
        send_email(recipients, subject, "\n".join(lines))
        warning.notified_at = timezone.now()
        warning.save(update_fields=["notified_at"])
        sent += 1
    return sent


# --- monthly reports ------------------------------------------------------------------------------


@transaction.atomic
def monthly_report_generate(*, month: datetime.date, acting_user=None) -> MonthlyReport:
    """Write (or rewrite) the report of `month`: its data, the city PDF and XLSX."""
    month = month.replace(day=1)
    data = figures.month_report_data(Worker.objects.all(), month)
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(
        month=month, defaults={"generated_at": timezone.now(), "data": data}
    )
    report.data = data
    report.generated_at = timezone.now()
    report.generated_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    scoped = figures.scope_report_data(data)
    name = month.strftime("%Y-%m")
    if report.pdf:
        report.pdf.delete(save=False)
    if report.xlsx:
        report.xlsx.delete(save=False)
    report.pdf.save(f"report-{name}.pdf", ContentFile(writers.report_pdf(scoped)), save=False)
    report.xlsx.save(f"report-{name}.xlsx", ContentFile(writers.report_xlsx(scoped)), save=False)
    report.save()
    audit(report, "dashboards.monthly_report_generate", user=acting_user, data={"month": name})
    return report
