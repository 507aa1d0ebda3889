"""View records and old requests are deleted after the retention time by the beat task."""

import datetime

from django.conf import settings
from django.utils import timezone

import pytest
import time_machine

from consent.models import ConsentGrant, ConsentRequest, WorkerView
from consent.services import worker_views_record
from consent.tasks import consent_records_purge
from tests.consent.conftest import granted

pytestmark = pytest.mark.django_db


def test_the_purge_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["consent-records-purge"]
    assert entry["task"] == "consent.tasks.consent_records_purge"


def test_views_older_than_180_days_are_deleted_and_newer_ones_kept(worker):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        worker_views_record(workers=[worker], kind=WorkerView.Kind.LOOKUP)
        clock.shift(datetime.timedelta(days=100))
        worker_views_record(workers=[worker], kind=WorkerView.Kind.CERTIFICATE_SCAN)
        clock.shift(datetime.timedelta(days=81))
        consent_records_purge.delay()
        kinds = list(WorkerView.objects.values_list("kind", flat=True))
        assert kinds == [WorkerView.Kind.CERTIFICATE_SCAN]
        consent_records_purge.delay()  # idempotent
        assert WorkerView.objects.count() == 1


def test_the_retention_is_a_setting(settings, worker):
    settings.CONSENT_RETENTION_DAYS = 7
    with time_machine.travel(timezone.now(), tick=False) as clock:
        worker_views_record(workers=[worker], kind=WorkerView.Kind.LOOKUP)
        clock.shift(datetime.timedelta(days=8))
        consent_records_purge.delay()
    assert not WorkerView.objects.exists()


def test_old_requests_go_but_an_open_grant_stays(settings, household, worker_client, certificate):
    settings.CONSENT_RETENTION_DAYS = 1
    with time_machine.travel(timezone.now(), tick=False) as clock:
        granted(household, worker_client, certificate, hours=168)
        clock.shift(datetime.timedelta(days=2))
        consent_records_purge.delay()
        assert ConsentGrant.objects.count() == 1
        clock.shift(datetime.timedelta(days=6))
        consent_records_purge.delay()
    assert not ConsentRequest.objects.exists() and not ConsentGrant.objects.exists()
