"""Supervision: warning rules (fire / near miss), life cycle, district scoping,
snapshots and monthly reports."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from complaints.workdays import WorkingDays
from dashboards import rules, services
from dashboards.models import (
    DistrictSnapshot,
    MonthlyReport,
    SupervisionSettings,
    SupervisionWarning,
)
from dashboards.selectors import figures
from registry.models import CreditRecord, District, Filing, Worker
from tests.registry.factories import (
    AgencyFactory,
    CreditRecordFactory,
    EmploymentFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db


def run(rule):
    return rules.warnings_evaluate(rules={rule})


def open_warnings(rule):
    return SupervisionWarning.objects.filter(rule=rule).exclude(status="resolved")


# --- rules -----------------------------------------------------------------------------------


def test_blacklisted_worker_in_open_employment_fires_and_ended_one_is_quiet(stage):
    employed = stage.worker("approved")
    EmploymentFactory(worker=employed, agency=stage.agency)
    CreditRecordFactory(worker=employed, kind=CreditRecord.Kind.BLACKLIST)
    left = stage.worker("approved")
    EmploymentFactory(
        worker=left,
        agency=stage.agency,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
        start_date=timezone.localdate() - datetime.timedelta(days=100),
    )
    CreditRecordFactory(worker=left, kind=CreditRecord.Kind.BLACKLIST)
    run(SupervisionWarning.Rule.BLACKLISTED_EMPLOYED)
    assert list(
        open_warnings(SupervisionWarning.Rule.BLACKLISTED_EMPLOYED).values_list(
            "worker_id", flat=True
        )
    ) == [employed.pk]


def test_agency_complaints_above_threshold_fire_and_at_threshold_stay_quiet(agency, other_agency):
    config = SupervisionSettings.load()
    config.complaints_per_agency_90d = 2
    config.save()
    for _ in range(3):
        CreditRecordFactory(worker=None, agency=agency, kind=CreditRecord.Kind.COMPLAINT)
    for _ in range(2):
        CreditRecordFactory(worker=None, agency=other_agency, kind=CreditRecord.Kind.COMPLAINT)
    old = timezone.localdate() - datetime.timedelta(days=120)
    CreditRecordFactory(
        worker=None, agency=other_agency, kind=CreditRecord.Kind.COMPLAINT, occurred_on=old
    )
    run(SupervisionWarning.Rule.AGENCY_COMPLAINTS)
    assert list(
        open_warnings(SupervisionWarning.Rule.AGENCY_COMPLAINTS).values_list("agency_id", flat=True)
    ) == [agency.pk]


def test_filings_waiting_too_long_fire_per_district(agency):
    config = SupervisionSettings.load()
    config.filing_review_working_days = 5
    config.save()
    late = WorkerFactory(agency=agency)
    WorkerFactory(agency=AgencyFactory(district=District.PUDONG))  # fresh: near miss
    Filing.objects.filter(worker=late).update(
        submitted_at=timezone.now() - datetime.timedelta(days=10)
    )
    run(SupervisionWarning.Rule.FILING_OVERDUE)
    warning = open_warnings(SupervisionWarning.Rule.FILING_OVERDUE).get()
    assert warning.district == agency.district
    assert warning.facts["超时待审备案"] == 1


def test_working_days_skip_weekends():
    friday = datetime.datetime(2026, 3, 6, 10, tzinfo=datetime.UTC)
    assert WorkingDays().before(friday, 5).date() == datetime.date(2026, 2, 27)


def test_low_share_of_valid_certificates_fires_and_healthy_agency_is_quiet(stage, other_stage):
    config = SupervisionSettings.load()
    config.valid_share_min_percent = 50
    config.valid_share_min_workers = 2
    config.save()
    stage.worker("certified")
    stage.worker("approved")
    stage.worker("approved")  # 1 of 3 = 33 %
    other_stage.worker("certified")
    other_stage.worker("approved")  # 1 of 2 = 50 %: near miss
    run(SupervisionWarning.Rule.LOW_VALID_SHARE)
    assert list(
        open_warnings(SupervisionWarning.Rule.LOW_VALID_SHARE).values_list("agency_id", flat=True)
    ) == [stage.agency.pk]


def _attempts_from(ip, stage, n):
    from tests.exams.factories import FailedAttemptFactory

    for _ in range(n):
        FailedAttemptFactory(
            exam=stage.exam, worker=stage.worker("completed"), client_ip=ip, number=1
        )


def test_many_workers_from_one_address_fire_and_fewer_stay_quiet(stage):
    config = SupervisionSettings.load()
    config.exam_attempts_per_address = 3
    config.save()
    _attempts_from("10.0.0.1", stage, 3)
    _attempts_from("10.0.0.2", stage, 2)
    run(SupervisionWarning.Rule.EXAM_SAME_ADDRESS)
    warning = open_warnings(SupervisionWarning.Rule.EXAM_SAME_ADDRESS).get()
    assert warning.facts["地址"] == "10.0.0.1"


def test_identical_wrong_answers_fire_but_identical_right_answers_do_not(stage):
    from tests.exams.factories import FailedAttemptFactory, PassedAttemptFactory

    config = SupervisionSettings.load()
    config.exam_same_answers_workers = 3
    config.exam_same_answers_min_wrong = 2
    config.save()
    for _ in range(3):  # all right: same answers, but nothing suspicious
        PassedAttemptFactory(exam=stage.exam, worker=stage.worker("completed"), number=1)
    run(SupervisionWarning.Rule.EXAM_SAME_ANSWERS)
    assert not open_warnings(SupervisionWarning.Rule.EXAM_SAME_ANSWERS).exists()
    for _ in range(3):  # all wrong in the same way (no answer given)
        FailedAttemptFactory(exam=stage.exam, worker=stage.worker("completed"), number=1)
    run(SupervisionWarning.Rule.EXAM_SAME_ANSWERS)
    assert open_warnings(SupervisionWarning.Rule.EXAM_SAME_ANSWERS).count() == 1


def test_visit_after_certificate_lapse_fires_and_a_visit_while_valid_is_quiet():
    from certificates.services.revocation import certificate_revoke
    from registry.services.visits import visit_confirm
    from tests.certificates.factories import issue

    lapsed = issue()
    certificate_revoke(certificate=lapsed, reason="违规上岗", acting_user=None)
    visit_confirm(worker=lapsed.worker, service_date=timezone.localdate(), district=District.XUHUI)
    valid = issue()
    visit_confirm(worker=valid.worker, service_date=timezone.localdate(), district=District.XUHUI)
    run(SupervisionWarning.Rule.VISIT_AFTER_LAPSE)
    assert list(
        open_warnings(SupervisionWarning.Rule.VISIT_AFTER_LAPSE).values_list("worker_id", flat=True)
    ) == [lapsed.worker_id]


# --- life cycle ------------------------------------------------------------------------------------


@pytest.fixture
def complaint_warning(agency):
    config = SupervisionSettings.load()
    config.complaints_per_agency_90d = 0
    config.save()
    CreditRecordFactory(worker=None, agency=agency, kind=CreditRecord.Kind.COMPLAINT)
    run(SupervisionWarning.Rule.AGENCY_COMPLAINTS)
    return open_warnings(SupervisionWarning.Rule.AGENCY_COMPLAINTS).get()


def test_same_cause_never_opens_a_second_warning(complaint_warning, agency):
    result = run(SupervisionWarning.Rule.AGENCY_COMPLAINTS)
    assert result.opened == []
    assert (
        SupervisionWarning.objects.filter(rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS).count()
        == 1
    )


def test_acknowledge_then_resolve_with_note_is_audited(complaint_warning, city_regulator):
    from lms.audit import audit_entries

    services.warning_acknowledge(warning=complaint_warning, acting_user=city_regulator)
    with pytest.raises(services.WarningError):
        services.warning_resolve(warning=complaint_warning, acting_user=city_regulator, note=" ")
    services.warning_resolve(
        warning=complaint_warning, acting_user=city_regulator, note="已约谈企业"
    )
    complaint_warning.refresh_from_db()
    assert complaint_warning.status == "resolved"
    actions = {e.action for e in audit_entries(complaint_warning)}
    assert {"dashboards.warning_acknowledge", "dashboards.warning_resolve"} <= actions


def test_warning_closes_itself_when_the_cause_goes_away(complaint_warning):
    CreditRecord.objects.all().delete()
    result = run(SupervisionWarning.Rule.AGENCY_COMPLAINTS)
    complaint_warning.refresh_from_db()
    assert result.closed == 1
    assert complaint_warning.status == "resolved"
    assert complaint_warning.auto_closed


def test_new_warning_is_emailed_to_the_districts_regulators(
    agency, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.registry.factories import RegulatorFactory

    xuhui = RegulatorFactory(district=District.XUHUI)
    xuhui.user.email = "xuhui@example.cn"
    xuhui.user.save()
    pudong = RegulatorFactory(district=District.PUDONG)
    pudong.user.email = "pudong@example.cn"
    pudong.user.save()
    config = SupervisionSettings.load()
    config.complaints_per_agency_90d = 0
    config.save()
    CreditRecordFactory(worker=None, agency=agency, kind=CreditRecord.Kind.COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        run(SupervisionWarning.Rule.AGENCY_COMPLAINTS)
    assert [m.to for m in mailoutbox] == [["xuhui@example.cn"]]


# --- district scoping ----------------------------------------------------------------------------


def test_district_regulator_gets_404_for_other_districts(
    client, login_staff, district_regulator, other_agency, agency
):
    login_staff(client, district_regulator)
    other_warning = SupervisionWarning.objects.create(
        rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS,
        subject_key="x",
        subject_label="乙",
        district=District.PUDONG,
    )
    for url in (
        reverse("dashboards_admin:supervision_district", args=[District.PUDONG]),
        reverse("dashboards_admin:supervision_agency", args=[other_agency.pk]),
        reverse("dashboards_admin:supervision_export") + "?level=city",
        reverse("dashboards_admin:supervision_export") + f"?level=district&code={District.PUDONG}",
        reverse("dashboards_admin:supervision_export") + f"?level=agency&code={other_agency.pk}",
        reverse("dashboards_admin:warning", args=[other_warning.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("dashboards_admin:supervision")).status_code == 302
    own = client.get(reverse("dashboards_admin:supervision_district", args=[District.XUHUI]))
    assert own.status_code == 200
    assert (
        client.get(reverse("dashboards_admin:supervision_agency", args=[agency.pk])).status_code
        == 200
    )
    listed = client.get(reverse("dashboards_admin:warnings"))
    assert other_warning not in listed.context["page_obj"].object_list


def test_district_regulator_sees_only_their_district_in_the_report(
    client, login_staff, district_regulator, stage, other_stage
):
    mine = stage.worker("approved")
    theirs = other_stage.worker("approved")
    login_staff(client, district_regulator)
    report = MonthlyReport.objects.create(
        month=datetime.date(2026, 1, 1),
        generated_at=timezone.now(),
        data=figures.month_report_data(Worker.objects.all(), datetime.date(2026, 1, 1)),
    )
    response = client.get(reverse("dashboards_admin:report_month", args=[report.pk]))
    labels = {row["label"] for t in response.context["tables"] for row in t["rows"]}
    assert labels <= {"徐汇区"}
    listed = client.get(reverse("dashboards_admin:report"))
    names = {w.pk for w in listed.context["object_list"]}
    assert mine.pk in names and theirs.pk not in names


def test_city_dashboard_runs_constant_queries(
    client, login_staff, city_regulator, stage, other_stage, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_staff(client, city_regulator)
    stage.worker("certified")
    # ?refresh=1: the figures are aggregated in this request, not read from the cache.
    url = reverse("dashboards_admin:supervision") + "?refresh=1"
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    for kind in ("certified", "approved", "expired", "failed"):
        stage.worker(kind)
        other_stage.worker(kind)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200


# --- snapshots and monthly reports -------------------------------------------------------------------


def test_snapshot_twice_a_day_keeps_one_row_per_district(stage, other_stage):
    stage.worker("certified")
    other_stage.worker("approved")
    services.snapshot_take()
    stage.worker("approved")
    services.snapshot_take()
    assert DistrictSnapshot.objects.count() == 2
    xuhui = DistrictSnapshot.objects.get(district=District.XUHUI)
    assert xuhui.figures["registered"] == 2


def test_monthly_report_numbers_equal_direct_counts(stage, city_regulator):
    with time_machine.travel(datetime.datetime(2026, 2, 10, 10, tzinfo=datetime.UTC)):
        stage.worker("certified")
        stage.worker("failed")
    with time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC)):
        stage.worker("approved")
        report = services.monthly_report_generate(
            month=datetime.date(2026, 2, 1), acting_user=city_regulator
        )
    from certificates.models import Certificate
    from courses.models import Enrolment
    from exams.models import Attempt
    from registry.models import FilingTransition

    start, end = figures.month_bounds(datetime.date(2026, 2, 1))
    row = {r["district"]: r for r in report.data["tables"]["registration"]["rows"]}[District.XUHUI]
    assert (
        row["values"]["approved"]
        == FilingTransition.objects.filter(to_status="approved", at__gte=start, at__lt=end).count()
        == 2
    )
    exams = {r["district"]: r for r in report.data["tables"]["exams"]["rows"]}[District.XUHUI]
    assert (
        exams["values"]["attempts"]
        == Attempt.objects.filter(submitted_at__gte=start, submitted_at__lt=end).count()
        == 2
    )
    assert exams["values"]["passed"] == 1
    training = {r["district"]: r for r in report.data["tables"]["training"]["rows"]}[District.XUHUI]
    assert (
        training["values"]["enrolled"]
        == Enrolment.objects.filter(enrolled_at__gte=start, enrolled_at__lt=end).count()
    )
    certs = {r["district"]: r for r in report.data["tables"]["certificates"]["rows"]}[
        District.XUHUI
    ]
    assert (
        certs["values"]["issued"]
        == Certificate.objects.filter(issued_on__gte=start.date(), issued_on__lt=end.date()).count()
    )
    assert report.pdf and report.xlsx
    with time_machine.travel(datetime.datetime(2026, 3, 5, 11, tzinfo=datetime.UTC)):
        services.monthly_report_generate(month=datetime.date(2026, 2, 1))
    assert MonthlyReport.objects.count() == 1


def test_report_pdf_is_chinese_and_downloads_scoped(client, login_staff, district_regulator, stage):
    import io

    from pypdf import PdfReader

    stage.worker("certified")
    report = services.monthly_report_generate(month=timezone.localdate().replace(day=1))
    login_staff(client, district_regulator)
    response = client.get(reverse("dashboards_admin:report_file", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "监管月报" in text
    assert "徐汇区" in text
