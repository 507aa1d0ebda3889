"""The lookup benchmark's histories (benchmarks/registry_histories.py) are whole, consistent rows.

The benchmark's first lookups are only as honest as the rows they read: the
fill must keep working as the models change, and give answers with every
part a real one has.
"""

import datetime
import importlib.util
import io
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

import pytest

from certificates.models import Certificate
from registry.models import (
    CreditRecord,
    Employment,
    Insurance,
    ServiceVisit,
    VisitRating,
    Worker,
)
from registry.selectors.door_facts import workers_door_status
from registry.selectors.lookups import worker_trace_lookup
from registry.selectors.public_record import public_worker

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

WORKERS = 400


def _histories_module():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "registry_histories.py"
    spec = importlib.util.spec_from_file_location("registry_histories", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def said():
    call_command("seed_scale", workers=WORKERS, agencies=5, stdout=io.StringIO())
    lines = []
    _histories_module().fill(say=lines.append)
    return lines


def test_every_part_of_a_history_is_there(said):
    assert Employment.objects.filter(end_date__isnull=True).count() > WORKERS * 0.7
    assert Employment.objects.filter(end_date__isnull=False).count() > WORKERS * 0.5
    kinds = set(CreditRecord.objects.values_list("kind", flat=True))
    assert {"commendation", "complaint"} <= kinds
    assert Insurance.objects.filter(end_date__gte=timezone.localdate()).count() > WORKERS * 0.4
    assert ServiceVisit.objects.count() > WORKERS * 0.2
    assert VisitRating.objects.filter(status="approved").exclude(comment="").exists()
    assert Certificate.objects.filter(revoked_at__isnull=True).count() > WORKERS * 0.3
    assert any("insurance" in line for line in said)


def test_employments_of_a_worker_never_overlap(said):
    for worker in Worker.objects.prefetch_related("employments"):
        spans = sorted(
            (e.start_date, e.end_date or datetime.date.max) for e in worker.employments.all()
        )
        for (_, ended), (started, _) in zip(spans, spans[1:], strict=False):
            assert ended < started, worker.pk


def test_a_full_history_is_answered_whole(said):
    worker = (
        Worker.objects.annotate(
            jobs=Count("employments", distinct=True),
            valid=Count("certificates", filter=Q(certificates__revoked_at__isnull=True)),
        )
        .filter(jobs__gte=3, valid__gte=1, insurances__end_date__gte=timezone.localdate())
        .first()
    )
    assert worker is not None
    (found,) = worker_trace_lookup(card_number=worker.card_number)
    shown = public_worker(found, door=workers_door_status([found])[found.pk])
    assert len(shown.employments) == 3
    assert "certificate_missing" not in {check.code for check in shown.door.checks}
    assert "insurance_missing" not in {check.code for check in shown.door.checks}


def test_it_runs_once(said):
    counts = (Employment.objects.count(), Certificate.objects.count())
    again = []
    _histories_module().fill(say=again.append)
    assert again == ["histories: already there"]
    assert (Employment.objects.count(), Certificate.objects.count()) == counts
