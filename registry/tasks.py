"""Celery adapters of the registry: take ids, call services, safe to run twice."""

from celery import shared_task


@shared_task(name="registry.tasks.roster_import_task", acks_late=True)
def roster_import_task(roster_import_id: int) -> None:
    """File the rows of a large roster (resumes where a crashed run stopped)."""
    from registry.services.rosters import roster_import_process

    roster_import_process(roster_import_id=roster_import_id)


@shared_task(name="registry.tasks.credit_records_expire_sweep", acks_late=True)
def credit_records_expire_sweep() -> int:
    """Daily: ``credit.expired`` once per credit record whose expiry came (idempotent,
    catches up missed days)."""
    from registry.services.changes import credit_records_expire_sweep as sweep

    return sweep()


@shared_task(name="registry.tasks.roster_import_reconcile", acks_late=True)
def roster_import_reconcile() -> int:
    """Re-send rosters with no progress for ten minutes (a lost message or a killed worker)."""
    import datetime

    from django.utils import timezone

    from .models import RosterImport

    stale = timezone.now() - datetime.timedelta(minutes=10)
    ids = list(
        RosterImport.objects.filter(
            status__in=[RosterImport.Status.PENDING, RosterImport.Status.RUNNING],
            updated_at__lt=stale,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        roster_import_task.delay(pk)
    return len(ids)
