"""Celery tasks of the portal."""

from celery import shared_task

#: Seconds a run may hold the lock; a crashed run's lock lapses after this.
_LOCK_SECONDS = 5 * 60
_LOCK_KEY = "cms:publish-scheduled:lock"


@shared_task(name="cms.tasks.publish_scheduled", acks_late=True)
def publish_scheduled() -> bool:
    """Publish the pages whose go-live time has come and unpublish the expired ones.

    Wagtail's ``publish_scheduled`` command, every minute from beat (the
    scheduled publishing editors set in the page's 设置 tab). One run at a
    time: a run still going when the next is due makes that one a no-op.
    Publishing purges the page cache through the usual signals. False when
    another run held the lock.
    """
    from io import StringIO

    from django.core.cache import cache
    from django.core.management import call_command

    if not cache.add(_LOCK_KEY, 1, _LOCK_SECONDS):
        return False
    try:
        call_command("publish_scheduled", stdout=StringIO())
    finally:
        cache.delete(_LOCK_KEY)
    return True
