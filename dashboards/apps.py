from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("工作台")

    def ready(self):
        from django.conf import settings

        from celery.schedules import crontab

        schedule = settings.CELERY_BEAT_SCHEDULE
        # Snapshots just after midnight, Shanghai time (CELERY_TIMEZONE).
        schedule.setdefault(
            "dashboards-snapshot-daily",
            {"task": "dashboards.tasks.snapshot_daily", "schedule": crontab(minute=10, hour=0)},
        )
        # The city's live statistics, recomputed before they go stale
        # (dashboards.selectors.cached_figures).
        schedule.setdefault(
            "dashboards-live-refresh-city",
            {"task": "dashboards.tasks.live_refresh", "schedule": crontab(minute="*/4")},
        )
        schedule.setdefault(
            "dashboards-warnings-evaluate",
            {"task": "dashboards.tasks.warnings_evaluate", "schedule": crontab(minute=20)},
        )
        schedule.setdefault(
            "dashboards-monthly-report",
            {
                "task": "dashboards.tasks.monthly_report",
                "schedule": crontab(minute=30, hour=1, day_of_month=1),
            },
        )
