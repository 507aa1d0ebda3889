"""The call log is kept PARTNER_CALLS_RETENTION_DAYS, then purged in batches."""

import datetime

from django.utils import timezone

import pytest

from partners import services
from partners.models import PartnerCall
from partners.services import partner_call_record, partner_calls_purge

from .conftest import PartnerFactory

pytestmark = pytest.mark.django_db


def _call(partner, days_ago):
    call = partner_call_record(partner=partner, method="GET", endpoint="me", status=200)
    PartnerCall.objects.filter(pk=call.pk).update(
        at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return call


def test_rows_older_than_the_retention_go_and_younger_ones_stay(settings, monkeypatch):
    settings.PARTNER_CALLS_RETENTION_DAYS = 30
    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    partner = PartnerFactory()
    old = [_call(partner, 31 + n) for n in range(5)]
    kept = [_call(partner, 29), _call(partner, 0)]

    assert partner_calls_purge() == len(old)
    assert set(PartnerCall.objects.values_list("pk", flat=True)) == {c.pk for c in kept}
    assert partner_calls_purge() == 0


def test_the_retention_runs_nightly_on_the_beat_and_purges_both_stores(settings):
    from partners.tasks import partners_retention

    entry = settings.CELERY_BEAT_SCHEDULE["partners-retention"]
    assert entry["task"] == "partners.tasks.partners_retention"
    assert partners_retention() == {"calls": 0, "idempotent_requests": 0}
