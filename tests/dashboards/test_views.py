"""The agency workspace over HTTP: report, filters, exports, worker page, bulk actions,
and strict isolation between agencies and branches."""

import io

from django.urls import reverse

import openpyxl
import pytest

from dashboards.models import ExportJob, Reminder
from registry.models import Worker
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db

REPORT = "dashboards_admin:report"


def xlsx_names(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    return sorted(r[0] for r in rows[1:])


def page_names(response) -> list[str]:
    return sorted(w.name for w in response.context["object_list"])


def test_report_lists_only_own_agency(staff_client, funnel_data, other_stage):
    theirs = other_stage.worker("certified")
    response = staff_client.get(reverse(REPORT))
    assert response.status_code == 200
    names = page_names(response)
    assert len(names) == 10
    assert theirs.name not in names or Worker.objects.filter(name=theirs.name).count() > 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filing_status=returned", ["returned"]),
        ("expiring_within=30", ["expiring"]),
        ("certificate=expired", ["expired"]),
        ("certificate=valid", ["certified", "expiring"]),
        (
            "certificate=none",
            ["filed", "returned", "approved", "enrolled", "completed", "failed", "passed"],
        ),
    ],
)
def test_each_filter_narrows_the_rows(staff_client, funnel_data, query, expected):
    response = staff_client.get(reverse(REPORT) + "?" + query)
    assert page_names(response) == sorted(funnel_data[k].name for k in expected)


def test_course_branch_category_and_health_filters(staff_client, stage, branch, agency):
    from tests.registry.factories import ServiceCategoryFactory

    category = ServiceCategoryFactory(name="母婴护理")
    in_branch = stage.worker("enrolled", branch=branch, service_categories=[category])
    elsewhere = stage.worker("approved")
    import datetime

    from django.utils import timezone

    Worker.objects.filter(pk=elsewhere.pk).update(
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=5)
    )
    url = reverse(REPORT)
    assert page_names(staff_client.get(f"{url}?branch={branch.pk}")) == [in_branch.name]
    assert page_names(staff_client.get(f"{url}?category={category.pk}")) == [in_branch.name]
    assert page_names(staff_client.get(f"{url}?course={stage.course.pk}")) == [in_branch.name]
    assert page_names(staff_client.get(f"{url}?health_within=30")) == [elsewhere.name]


def test_search_by_name_and_card_number(staff_client, funnel_data):
    worker = funnel_data["certified"]
    worker.refresh_from_db()
    url = reverse(REPORT)
    assert worker.name in page_names(staff_client.get(url + "?q=" + worker.name))
    assert page_names(staff_client.get(url + "?q=" + worker.card_number)) == [worker.name]


def test_sorting_by_certificate_expiry(staff_client, funnel_data):
    response = staff_client.get(
        reverse(REPORT) + "?ordering=certificate_expires_on&certificate=valid"
    )
    names = [w.name for w in response.context["object_list"]]
    assert names == [funnel_data["expiring"].name, funnel_data["certified"].name]


def test_xlsx_export_has_exactly_the_filtered_rows(staff_client, funnel_data, other_stage):
    other_stage.worker("expiring")
    response = staff_client.get(reverse(REPORT) + "?expiring_within=30&export=xlsx")
    assert response.status_code == 200
    assert xlsx_names(response) == [funnel_data["expiring"].name]
    everything = staff_client.get(reverse(REPORT) + "?export=xlsx")
    assert xlsx_names(everything) == sorted(w.name for w in funnel_data.values())


def test_csv_export_has_the_filtered_rows(staff_client, funnel_data):
    response = staff_client.get(reverse(REPORT) + "?filing_status=returned&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = [line for line in text.splitlines() if line]
    assert len(lines) == 2
    assert funnel_data["returned"].name in lines[1]


def test_large_export_runs_in_the_background_and_offers_a_download(
    staff_client, funnel_data, settings, staff
):
    settings.DASHBOARDS_EXPORT_SYNC_MAX_ROWS = 3
    with pytest.MonkeyPatch.context():
        from django.db import transaction

        response = staff_client.get(reverse(REPORT) + "?certificate=none&export=xlsx")
    job = ExportJob.objects.get(user=staff)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards_admin:export", args=[job.pk])
    from dashboards.services import export_job_run

    transaction.atomic  # noqa: B018 - on_commit does not run inside the test transaction
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.row_count == 7
    download = staff_client.get(reverse("dashboards_admin:export", args=[job.pk]) + "?download=1")
    content = b"".join(download.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 8


def test_export_job_of_another_user_is_404(client, login_staff, other_staff, staff, funnel_data):
    job = ExportJob.objects.create(user=staff, format="xlsx")
    login_staff(client, other_staff)
    assert client.get(reverse("dashboards_admin:export", args=[job.pk])).status_code == 404


def test_worker_page_shows_timeline(staff_client, funnel_data):
    worker = funnel_data["certified"]
    response = staff_client.get(reverse("dashboards_admin:worker", args=[worker.pk]))
    assert response.status_code == 200
    assert response.context["timeline"]
    assert worker.masked_id_number in response.content.decode()
    assert worker.id_number not in response.content.decode()


# --- isolation -------------------------------------------------------------------------------


def test_other_agencys_worker_page_is_404(staff_client, other_stage):
    theirs = other_stage.worker("certified")
    assert staff_client.get(reverse("dashboards_admin:worker", args=[theirs.pk])).status_code == 404


def test_crafted_branch_of_other_agency_shows_nothing_of_theirs(
    staff_client, funnel_data, other_agency, other_stage
):
    from tests.registry.factories import BranchFactory

    their_branch = BranchFactory(agency=other_agency)
    theirs = other_stage.worker("certified", branch=their_branch)
    for export in ("", "&export=xlsx"):
        response = staff_client.get(reverse(REPORT) + f"?branch={their_branch.pk}{export}")
        names = xlsx_names(response) if export else page_names(response)
        assert theirs.name not in names or Worker.objects.filter(name=theirs.name).count() > 1
        assert len(names) == 10


def test_branch_manager_sees_only_their_branch(client, login_staff, branch_staff, stage, branch):
    mine = stage.worker("approved", branch=branch)
    stage.worker("approved")
    login_staff(client, branch_staff)
    assert page_names(client.get(reverse(REPORT))) == [mine.name]
    assert xlsx_names(client.get(reverse(REPORT) + "?export=xlsx")) == [mine.name]


@pytest.mark.parametrize("action", ["enrol", "remind", "zip", "cards"])
def test_bulk_action_on_another_agencys_worker_is_404(staff_client, stage, other_stage, action):
    mine = stage.worker("approved")
    theirs = other_stage.worker("approved")
    response = staff_client.post(
        reverse("dashboards_admin:bulk"),
        {
            "action": action,
            "worker": [mine.pk, theirs.pk],
            "course": stage.course.pk,
            "reason": Reminder.Reason.HEALTH_CHECK,
        },
    )
    assert response.status_code == 404
    assert not Reminder.objects.exists()


def test_regulator_and_plain_staff_cannot_use_bulk_actions(
    client, login_staff, city_regulator, stage
):
    worker = stage.worker("approved")
    login_staff(client, city_regulator)
    response = client.post(
        reverse("dashboards_admin:bulk"), {"action": "remind", "worker": [worker.pk]}
    )
    assert response.status_code == 404


def test_user_without_scope_gets_404_everywhere(client, login_staff, stage):
    from lms.accounts.roles import Role
    from tests.lms.factories import StaffUserFactory

    editor = StaffUserFactory(roles=[Role.EDITOR])
    worker = stage.worker("approved")
    login_staff(client, editor)
    for url in (
        reverse(REPORT),
        reverse(REPORT) + "?export=xlsx",
        reverse("dashboards_admin:worker", args=[worker.pk]),
        reverse("dashboards_admin:agency"),
    ):
        assert client.get(url).status_code == 404, url


# --- bulk actions -----------------------------------------------------------------------------


def test_bulk_enrol_uses_the_courses_service(staff_client, stage):
    from courses.models import Enrolment

    workers = [stage.worker("approved") for _ in range(2)]
    response = staff_client.post(
        reverse("dashboards_admin:bulk"),
        {"action": "enrol", "worker": [w.pk for w in workers], "course": stage.course.pk},
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=stage.course, worker__in=workers).count() == 2


def test_reminders_are_sent_once_per_worker_reason_and_day(staff_client, stage, mailoutbox):
    from lms.notifications import ConsoleSMSBackend

    worker = stage.worker("enrolled")
    ConsoleSMSBackend.outbox.clear()
    data = {"action": "remind", "worker": [worker.pk], "reason": Reminder.Reason.LESSONS}
    with pytest.MonkeyPatch.context():
        for _ in range(2):
            staff_client.post(reverse("dashboards_admin:bulk"), data)
    assert Reminder.objects.filter(worker=worker).count() == 1
    from dashboards.services import reminders_deliver

    reminder = Reminder.objects.get(worker=worker)
    reminders_deliver(reminder_ids=[reminder.pk])
    reminders_deliver(reminder_ids=[reminder.pk])
    assert [phone for phone, _msg in ConsoleSMSBackend.outbox] == [worker.phone]


def test_reminder_skips_workers_it_does_not_apply_to(stage, staff):
    from dashboards.services import reminders_send

    enrolled = stage.worker("enrolled")
    certified = stage.worker("certified")
    result = reminders_send(
        workers=Worker.objects.filter(pk__in=[enrolled.pk, certified.pk]),
        reason=Reminder.Reason.LESSONS,
        acting_user=staff,
        agency=stage.agency,
    )
    assert result.sent == [enrolled.pk]
    assert result.not_applicable == [certified.pk]


def test_card_collection_sheet_lists_approved_workers_without_card(staff_client, stage):
    from pypdf import PdfReader

    waiting = WorkerFactory(agency=stage.agency, status="approved", card=False, name="李卡待")
    carded = stage.worker("approved")
    response = staff_client.post(
        reverse("dashboards_admin:bulk"), {"action": "cards", "worker": [waiting.pk, carded.pk]}
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "李卡待" in text
    assert carded.name not in text
    assert waiting.id_number not in text


def test_certificate_zip_contains_only_selected_workers(staff_client, stage):
    import zipfile

    worker = stage.worker("certified")
    response = staff_client.post(
        reverse("dashboards_admin:bulk"), {"action": "zip", "worker": [worker.pk]}
    )
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert names
    assert all(worker.name in n or n == "README.txt" for n in names)


# --- the dashboard ------------------------------------------------------------------------------


def test_admin_home_shows_the_agency_funnel(staff_client, funnel_data):
    response = staff_client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "认证进度漏斗" in html
    assert "<svg" in html
    assert "<table" in html


def _workers(stage, n):
    kinds = ["filed", "approved", "enrolled", "completed", "certified"]
    for i in range(n):
        stage.worker(kinds[i % len(kinds)])


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["wagtailadmin_home", REPORT])
def test_dashboard_and_report_run_constant_queries_at_10_and_200_workers(
    staff_client, stage, url_name, django_assert_max_num_queries
):
    _workers(stage, 10)
    url = reverse(url_name)
    small = _count_queries(staff_client, url, django_assert_max_num_queries)
    _workers(stage, 190)
    with django_assert_max_num_queries(small):
        assert staff_client.get(url).status_code == 200
