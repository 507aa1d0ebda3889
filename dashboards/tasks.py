"""Celery tasks of the dashboards: thin adapters over services, idempotent, by id."""

import datetime

from django.utils import timezone

from celery import shared_task


@shared_task(name="dashboards.tasks.reminders_deliver", acks_late=True)
def reminders_deliver(reminder_ids: list[int]) -> int:
    """Send reminders not yet delivered (a reminder already sent is skipped)."""
    from .services import reminders_deliver as deliver

    return deliver(reminder_ids=reminder_ids)


@shared_task(name="dashboards.tasks.export_build", acks_late=True)
def export_build(job_id: int) -> None:
    """Build the spreadsheet of one export job (skipped once done)."""
    from .services import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="dashboards.tasks.snapshot_daily", acks_late=True)
def snapshot_daily(date: str | None = None) -> int:
    """Store today's per-district figures (one row per district and day)."""
    from .services import snapshot_take

    day = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return snapshot_take(date=day)


@shared_task(name="dashboards.tasks.warnings_evaluate", acks_late=True)
def warnings_evaluate() -> int:
    """Run the early-warning rules once; returns how many warnings were opened."""
    from .rules import warnings_evaluate as evaluate

    return len(evaluate().opened)


@shared_task(name="dashboards.tasks.warnings_notify", acks_late=True)
def warnings_notify(warning_ids: list[int]) -> int:
    """E-mail new warnings to their district's regulators (a warning already sent is skipped)."""
    from .services import warnings_notify as notify

    return notify(warning_ids=warning_ids)


@shared_task(name="dashboards.tasks.monthly_report", acks_late=True)
def monthly_report(month: str | None = None, user_id: int | None = None) -> int:
    """Write the report of `month` (YYYY-MM-01); by default the month just ended."""
    from django.contrib.auth import get_user_model

    from .selectors.figures import previous_month
    from .services import monthly_report_generate

    day = datetime.date.fromisoformat(month) if month else previous_month(timezone.localdate())
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return monthly_report_generate(month=day, acting_user=user).pk


@shared_task(name="dashboards.tasks.live_refresh", acks_late=True)
def live_refresh(level: str = "city", code: str = "") -> str:
    """Recompute one level of the regulators' live statistics into the cache."""
    from .selectors.cached_figures import compute

    return compute(level, code)["computed_at"].isoformat()
