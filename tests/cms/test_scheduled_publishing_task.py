"""Scheduled publishing runs by itself: beat sends Wagtail's publish_scheduled every minute."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

import pytest
import time_machine

from cms import tasks
from cms.models import NewsPage

pytestmark = pytest.mark.django_db


def test_beat_sends_it_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["cms-publish-scheduled"]
    assert entry == {"task": "cms.tasks.publish_scheduled", "schedule": 60}


def _scheduled(news_index, slug):
    item = NewsPage(title="定时发布", slug=slug, live=False)
    news_index.add_child(instance=item)
    item.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    item.save_revision().publish()
    return item


def test_the_task_publishes_a_page_whose_time_has_come(client, news_index):
    item = _scheduled(news_index, "on-time")
    assert tasks.publish_scheduled.delay().get() is True
    assert client.get("/news/on-time/").status_code == 404  # not yet
    with time_machine.travel(item.go_live_at + datetime.timedelta(minutes=1)):
        assert tasks.publish_scheduled.delay().get() is True
    item.refresh_from_db()
    assert item.live
    assert client.get("/news/on-time/").status_code == 200


def test_a_run_still_going_makes_the_next_one_a_no_op(news_index):
    item = _scheduled(news_index, "overlap")
    with time_machine.travel(item.go_live_at + datetime.timedelta(minutes=1)):
        cache.add(tasks._LOCK_KEY, 1, 60)  # as if a run were under way
        assert tasks.publish_scheduled() is False
        item.refresh_from_db()
        assert not item.live
        cache.delete(tasks._LOCK_KEY)
        assert tasks.publish_scheduled() is True
    item.refresh_from_db()
    assert item.live
