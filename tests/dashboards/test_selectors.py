"""The funnel and the report rows, counted on a constructed dataset."""

import pytest

from dashboards.selectors import funnel, progress_report, worker_timeline
from registry.models import Worker

pytestmark = pytest.mark.django_db


def counts(workers):
    return {stage["key"]: stage["count"] for stage in funnel.funnel(workers)}


def test_funnel_counts_the_workers_meeting_each_stage(funnel_data, agency):
    result = counts(Worker.objects.filter(agency=agency))
    # filed: all 10; approved: all but filed/returned = 8; enrolled: 7 (not "approved");
    # completed: 6; passed: passed + certified + expiring + expired = 4; valid certificate: 2.
    assert result == {
        "filed": 10,
        "approved": 8,
        "enrolled": 7,
        "completed": 6,
        "passed": 4,
        "certified": 2,
    }


def test_funnel_is_one_query(funnel_data, agency, django_assert_num_queries):
    with django_assert_num_queries(1):
        funnel.funnel(Worker.objects.filter(agency=agency))


def test_funnel_of_other_agency_does_not_count_ours(funnel_data, other_stage, other_agency):
    other_stage.worker("certified")
    assert counts(Worker.objects.filter(agency=other_agency))["filed"] == 1


def test_report_rows_carry_exam_certificate_and_progress(funnel_data, agency):
    rows = {
        w.pk: w
        for w in progress_report.decorate_rows(
            list(progress_report.report_queryset(Worker.objects.filter(agency=agency)))
        )
    }
    failed = rows[funnel_data["failed"].pk]
    assert failed.last_exam_passed is False
    assert failed.attempts_left == 2
    certified = rows[funnel_data["certified"].pk]
    assert certified.certificate_status == "valid"
    assert rows[funnel_data["expired"].pk].certificate_status == "expired"
    assert rows[funnel_data["enrolled"].pk].courses[0]["percent"] == 0
    assert rows[funnel_data["completed"].pk].courses[0]["percent"] == 100


def test_timeline_is_newest_first_and_covers_every_kind(funnel_data):
    events = worker_timeline.worker_timeline(funnel_data["certified"])
    kinds = {e["kind"] for e in events}
    assert {"filing", "course", "lesson", "exam", "certificate"} <= kinds
    times = [e["at"] for e in events]
    assert times == sorted(times, reverse=True)
