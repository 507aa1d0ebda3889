from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("备案登记")

    def ready(self):
        from django.conf import settings

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                "registry-roster-import-reconcile",
                {"task": "registry.tasks.roster_import_reconcile", "schedule": 15 * 60},
            )
            from celery.schedules import crontab

            # Partners' feed (lms.outbox): credit records whose expiry came, once each.
            schedule.setdefault(
                "registry-credit-expire-sweep",
                {
                    "task": "registry.tasks.credit_records_expire_sweep",
                    "schedule": crontab(hour=0, minute=5),
                },
            )
