from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = _("考试")

    def ready(self):
        from django.conf import settings

        # Grade attempts whose phone never came back; once a minute is well
        # within the grace a worker expects between time-up and a result.
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "exams-finalize-overdue-attempts",
            {
                "task": "exams.tasks.attempts_finalize_overdue",
                "schedule": getattr(settings, "EXAMS_SWEEP_SECONDS", 60),
                "options": {"expires": 55},
            },
        )
        # Question imports whose worker died or whose message was lost (#27).
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "exams-question-import-reconcile",
            {
                "task": "exams.tasks.question_import_reconcile",
                "schedule": 5 * 60.0,
                "options": {"expires": 4 * 60},
            },
        )
