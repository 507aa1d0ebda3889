"""Celery tasks of the exams app: thin adapters over ``services``; idempotent."""

from celery import shared_task


@shared_task(name="exams.tasks.attempts_finalize_overdue", acks_late=True, ignore_result=True)
def attempts_finalize_overdue() -> int:
    """Grade every in-progress attempt past its deadline and grace (safe to run twice)."""
    from .services import attempts_finalize_overdue as finalize

    return finalize()
