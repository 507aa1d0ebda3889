from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("数据共享")

    def ready(self):
        # Refusals raised by the partner auth (before an operation runs) are answered as
        # problem details by the shared API; the exam and verify answers keep theirs.
        from django.conf import settings
        from django.db.models.signals import post_save

        from celery.signals import worker_ready

        from lms.api import api
        from lms.models import ChangeEvent

        from .auth import answer_problem
        from .problems import PartnerProblem
        from .tasks import recover_on_worker_ready
        from .webhooks.triggers import change_event_saved

        api.add_exception_handler(PartnerProblem, answer_problem)

        # Webhooks: the beat follows the outbox every 10 s; a change also asks for it
        # after commit. The reconciler resends what a lost message left due, and a worker
        # starting resends at once what was queued before it (a killed worker's messages).
        post_save.connect(change_event_saved, sender=ChangeEvent, dispatch_uid="webhooks")
        worker_ready.connect(recover_on_worker_ready, dispatch_uid="partners-webhooks-recover")
        from celery.schedules import crontab

        schedule = settings.CELERY_BEAT_SCHEDULE
        schedule.setdefault(
            "partners-webhooks-pump",
            {
                "task": "partners.tasks.webhooks_pump",
                "schedule": 10.0,
                "options": {"expires": 9},
            },
        )
        schedule.setdefault(
            "partners-webhooks-reconcile",
            {
                "task": "partners.tasks.webhooks_reconcile",
                "schedule": 60.0,
                "options": {"expires": 55},
            },
        )
        # At night: the call log and the writes' first answers past their retention.
        schedule.setdefault(
            "partners-retention",
            {"task": "partners.tasks.partners_retention", "schedule": crontab(hour=3, minute=50)},
        )
