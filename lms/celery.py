"""The Celery application.

Configuration comes from Django settings with the ``CELERY_`` prefix; tasks
are discovered in each installed app's ``tasks.py``. Without ``REDIS_URL``
tasks run eagerly in process (see lms/settings.py).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
