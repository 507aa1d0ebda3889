from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("证书")

    def ready(self):
        from django.conf import settings

        from celery.schedules import crontab

        schedule = settings.CELERY_BEAT_SCHEDULE
        schedule.setdefault(
            "certificates-remind-expiring",
            {
                "task": "certificates.tasks.certificates_remind_expiring",
                "schedule": crontab(hour=8, minute=30),
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
