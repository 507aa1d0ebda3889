"""Point the project's Celery app at a real broker for one test, sending for real.

Celery keeps its connection pools for the broker URL it first used; switching
the URL means closing the app (``app.close()`` drops its pool) and forgetting
its ``amqp`` helper, which caches the producer pool.
"""

import contextlib

from lms.celery import app


def _fresh_pools() -> None:
    app.close()
    with contextlib.suppress(AttributeError):
        del app.amqp


@contextlib.contextmanager
def celery_on(url: str, settings):
    """Celery on `url`, not eager, for the duration; the app as it was afterwards."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    _fresh_pools()
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _fresh_pools()
