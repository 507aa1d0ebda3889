from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("证书")

    def ready(self):
        from django.conf import settings

        from celery.schedules import crontab

        from lms import edge

        from . import purge

        # A change to a worker in the registry changes their certificates' public pages.
        edge.worker_paths_register(purge.worker_paths)

        schedule = settings.CELERY_BEAT_SCHEDULE
        schedule.setdefault(
            "certificates-remind-expiring",
            {
                "task": "certificates.tasks.certificates_remind_expiring",
                "schedule": crontab(hour=8, minute=30),
            },
        )
        # Just after midnight: the certificates that expired at the day's end leave the edge.
        schedule.setdefault(
            "certificates-purge-expired",
            {
                "task": "certificates.tasks.certificates_purge_expired",
                "schedule": crontab(hour=0, minute=1),
            },
        )
        # Partners' feed (lms.outbox): the certificates whose expiry passed, then the door
        # colours that time changed (after the registry's credit sweep at 00:05).
        schedule.setdefault(
            "certificates-announce-expired",
            {
                "task": "certificates.tasks.certificates_announce_expired",
                "schedule": crontab(hour=0, minute=5),
            },
        )
        schedule.setdefault(
            "certificates-door-changes",
            {
                "task": "certificates.tasks.door_changes_sweep",
                "schedule": crontab(hour=0, minute=20),
            },
        )
        # PostgreSQL is the source of truth: whatever a lost message left
        # undone (an attempt without certificate, a missing PDF) is sent again.
        schedule.setdefault(
            "certificates-reconcile",
            {
                "task": "certificates.tasks.certificates_reconcile",
                "schedule": crontab(minute="*/15"),
            },
        )
