"""Periodic work of the consent app (thin: the rules are in services)."""

from celery import shared_task


@shared_task(name="consent.tasks.consent_records_purge", acks_late=True)
def consent_records_purge() -> dict:
    """Delete view records and requests older than the retention time (idempotent)."""
    from .services import consent_records_purge as purge

    return purge()
