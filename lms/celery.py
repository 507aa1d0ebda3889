"""The Celery application.

Configuration comes from Django settings with the ``CELERY_`` prefix; tasks
are discovered in each installed app's ``tasks.py``. Without ``REDIS_URL``
tasks run eagerly in process (see lms/settings.py).

Every task is sent through :class:`Task`: a message that cannot reach the
broker (Redis down) is logged and dropped, never raised into the request,
view or periodic task that sent it, most often from ``transaction.on_commit``
after the work was committed, where an error can only turn a done deed into
a 500. The database keeps the work; each app's reconciler sends it again.
"""

import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

logger = logging.getLogger(__name__)


class Task(DjangoTask):
    def apply_async(self, args=None, kwargs=None, **options):
        """Send the task; None, with a warning logged, when the broker cannot be reached."""
        try:
            return super().apply_async(args, kwargs, **options)
        except OperationalError as error:
            logger.warning("task %s not sent, the broker is unreachable: %s", self.name, error)
            return None


app = Celery("lms", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
