from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "平台"

    def ready(self):
        from django.conf import settings

        from celery.schedules import crontab

        # At night, out of office hours: change events past their retention leave the
        # outbox (lms.tasks.change_events_purge), after every partner's nightly sync.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "lms-change-events-purge",
            {
                "task": "lms.tasks.change_events_purge",
                "schedule": crontab(hour=3, minute=40),
            },
        )
