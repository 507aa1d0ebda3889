"""Celery tasks of the exams app: thin adapters over ``services``; idempotent."""

from celery import shared_task


@shared_task(name="exams.tasks.attempts_finalize_overdue", acks_late=True, ignore_result=True)
def attempts_finalize_overdue() -> int:
    """Grade every in-progress attempt past its deadline and grace (safe to run twice)."""
    from .services import attempts_finalize_overdue as finalize

    return finalize()


@shared_task(name="exams.tasks.question_import_read_task", acks_late=True, ignore_result=True)
def question_import_read_task(question_import_id: int) -> None:
    """Read and check an uploaded question file into its preview (safe to run twice)."""
    from .exchange.services import question_import_read

    question_import_read(question_import_id=question_import_id)


@shared_task(name="exams.tasks.question_import_apply_task", acks_late=True, ignore_result=True)
def question_import_apply_task(question_import_id: int) -> None:
    """Import the questions of a confirmed file, all or none (safe to run twice)."""
    from .exchange.services import question_import_apply

    question_import_apply(question_import_id=question_import_id)


@shared_task(name="exams.tasks.question_import_reconcile", acks_late=True, ignore_result=True)
def question_import_reconcile() -> int:
    """Re-send question imports with no heartbeat for ten minutes (a lost message or a killed worker)."""
    from .exchange.selectors import question_imports_stale

    reading, importing = question_imports_stale()
    for pk in reading:
        question_import_read_task.delay(pk)
    for pk in importing:
        question_import_apply_task.delay(pk)
    return len(reading) + len(importing)
