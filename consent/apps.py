from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("授权查看与查看记录")

    def ready(self):
        from django.conf import settings

        # View records are kept CONSENT_RETENTION_DAYS (180) days; deleting the
        # expired ones once an hour keeps the table at that size.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "consent-records-purge",
            {
                "task": "consent.tasks.consent_records_purge",
                "schedule": getattr(settings, "CONSENT_PURGE_SECONDS", 3600),
                "options": {"expires": 3000},
            },
        )
