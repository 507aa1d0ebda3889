"""Staff screens: per-object access, review actions, cards, credit records, rosters."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from openpyxl import Workbook

from lms.accounts.roles import Role
from registry.models import (
    CreditRecord,
    Filing,
    FilingStatus,
    RosterImport,
    ServiceCategory,
    Worker,
)
from tests.lms.factories import UserFactory
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    BranchFactory,
    CreditRecordFactory,
    RegulatorFactory,
    WorkerFactory,
    next_id_number,
)

pytestmark = pytest.mark.django_db


def assert_denied(response):
    """Wagtail answers PermissionDenied with a redirect to the dashboard and a message."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def _worker_urls(worker):
    filing = Filing.objects.get(worker=worker)
    get_urls = [
        reverse("registry_admin:worker_detail", args=[worker.pk]),
        reverse("registry_admin:worker_edit", args=[worker.pk]),
        reverse("registry_admin:filing_review", args=[filing.pk]),
    ]
    post_urls = [
        reverse("registry_admin:worker_action", args=[worker.pk, action])
        for action in ("resubmit", "card", "employment-start", "employment-end")
    ]
    return get_urls, post_urls


def test_agency_staff_get_404_for_every_url_of_another_agencys_worker(client, staff_a):
    own = WorkerFactory(agency=staff_a.agency, status=FilingStatus.RETURNED)
    foreign = ApprovedWorkerFactory()  # agency B
    CreditRecordFactory(worker=foreign)
    get_urls, post_urls = _worker_urls(foreign)
    for url in get_urls:
        assert client.get(url).status_code == 404, url
    for url in post_urls:
        assert client.post(url, {"date": "2025-01-01"}).status_code == 404, url
    own_get, _own_post = _worker_urls(own)
    for url in own_get:
        assert client.get(url).status_code == 200, url
    # The listings do not show the other agency's worker either.
    html = client.get(reverse("registry_worker:index")).content.decode()
    assert own.masked_name in html
    assert reverse("registry_admin:worker_detail", args=[foreign.pk]) not in html
    html = client.get(reverse("registry_filing:index")).content.decode()
    assert (
        reverse("registry_admin:filing_review", args=[Filing.objects.get(worker=foreign).pk])
        not in html
    )


def test_roster_of_another_agency_is_404(client, staff_a):
    other = RosterImport.objects.create(
        agency=AgencyFactory(), original_name="b.csv", file="registry/rosters/x.csv"
    )
    assert client.get(reverse("registry_admin:roster_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("registry_admin:roster_errors", args=[other.pk])).status_code == 404


def test_branch_limited_staff_see_only_their_branch(client, login_staff):
    agency = AgencyFactory()
    branch, other_branch = BranchFactory(agency=agency), BranchFactory(agency=agency)
    membership = AgencyStaffFactory(agency=agency, branch=branch)
    login_staff(client, membership.user)
    mine = WorkerFactory(agency=agency, branch=branch)
    theirs = WorkerFactory(agency=agency, branch=other_branch)
    assert client.get(reverse("registry_admin:worker_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("registry_admin:worker_detail", args=[theirs.pk])).status_code == 404


def test_district_regulator_sees_only_their_district(client, login_staff):
    regulator = RegulatorFactory(district="pudong")
    login_staff(client, regulator.user)
    inside = WorkerFactory(agency=AgencyFactory(district="pudong"))
    outside = WorkerFactory(agency=AgencyFactory(district="xuhui"))
    assert client.get(reverse("registry_admin:worker_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("registry_admin:worker_detail", args=[outside.pk])).status_code == 404


def test_staff_pages_need_the_second_factor(client):
    membership = AgencyStaffFactory()
    client.force_login(membership.user)
    response = client.get(reverse("registry_admin:worker_file"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_agency_staff_file_a_worker(client, staff_a):
    category = ServiceCategory.objects.create(code="housework", name="家务服务")
    number = next_id_number()
    response = client.post(
        reverse("registry_admin:worker_file"),
        {
            "name": "陈阿姨",
            "id_number": number,
            "phone": "13811112222",
            "service_categories": [category.pk],
            "health_check_date": "2025-01-10",
            "health_check_expiry": "2026-01-09",
        },
    )
    worker = Worker.objects.get(id_last4=number[-4:])
    assert response.status_code == 302
    assert worker.agency == staff_a.agency
    assert Filing.objects.get(worker=worker).status == FilingStatus.SUBMITTED
    # The same person again: refused with the existing filing named.
    response = client.post(
        reverse("registry_admin:worker_file"), {"name": "陈阿姨", "id_number": number}
    )
    assert response.status_code == 200
    assert "已有备案" in response.content.decode()


def test_reviewer_approves_returns_and_rejects_with_reason(client, login_staff, reviewer):
    login_staff(client, reviewer)
    worker = WorkerFactory()
    filing = Filing.objects.get(worker=worker)
    url = reverse("registry_admin:filing_review", args=[filing.pk])
    page = client.get(url).content.decode()
    assert worker.id_number in page  # reviewers compare the full number with the card
    response = client.post(url, {"action": "return", "reason": ""})
    assert response.status_code == 200
    assert "请填写原因" in response.content.decode()
    client.post(url, {"action": "return", "reason": "照片不清晰"})
    filing.refresh_from_db()
    assert (filing.status, filing.reason) == (FilingStatus.RETURNED, "照片不清晰")
    # Illegal from "returned": approve is refused.
    response = client.post(url, {"action": "approve"})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED


def test_agency_staff_cannot_review(client, staff_a):
    worker = WorkerFactory(agency=staff_a.agency)
    filing = Filing.objects.get(worker=worker)
    response = client.post(
        reverse("registry_admin:filing_review", args=[filing.pk]), {"action": "approve"}
    )
    assert_denied(response)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED
    page = client.get(reverse("registry_admin:filing_review", args=[filing.pk])).content.decode()
    assert worker.id_number not in page


def test_reviewer_issues_a_card_and_a_batch(client, login_staff, reviewer):
    login_staff(client, reviewer)
    agency = AgencyFactory()
    single = WorkerFactory(agency=agency, status=FilingStatus.APPROVED)
    client.post(reverse("registry_admin:worker_action", args=[single.pk, "card"]))
    single.refresh_from_db()
    assert single.card_number
    batch_workers = [WorkerFactory(agency=agency, status=FilingStatus.APPROVED) for _ in range(3)]
    page = client.get(reverse("registry_admin:batch_card"), {"agency": agency.pk}).content.decode()
    assert "3 人待发卡" in page
    response = client.post(
        reverse("registry_admin:batch_card"),
        {
            "agency": agency.pk,
            "worker": [w.pk for w in batch_workers[:2]],
            "collected_by": "王经理",
        },
    )
    assert response.status_code == 302
    issued = Worker.objects.filter(pk__in=[w.pk for w in batch_workers], card_number__isnull=False)
    assert issued.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert all(w.card_number in detail for w in issued)


def test_regulator_adds_and_expires_a_credit_record(client, login_staff, monkeypatch):
    pass

    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a: None)
    regulator = RegulatorFactory(district="xuhui")
    login_staff(client, regulator.user)
    worker = ApprovedWorkerFactory(agency=AgencyFactory(district="xuhui"))
    response = client.post(
        reverse("registry_admin:credit_add"),
        {
            "subject": "worker",
            "card_number": worker.card_number,
            "kind": "violation",
            "source": "徐汇区商务委",
            "occurred_on": datetime.date.today().isoformat(),
            "description": "未按约定时间上门服务",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    record = CreditRecord.objects.get(worker=worker)
    response = client.post(
        reverse("registry_admin:credit_expire", args=[record.pk]), {"reason": "已整改"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.expires_on == datetime.date.today()


def test_regulator_cannot_reach_records_outside_the_district(client, login_staff):
    regulator = RegulatorFactory(district="xuhui")
    login_staff(client, regulator.user)
    record = CreditRecordFactory(
        worker=ApprovedWorkerFactory(agency=AgencyFactory(district="pudong"))
    )
    assert client.get(reverse("registry_admin:credit_expire", args=[record.pk])).status_code == 404


def test_agency_staff_cannot_add_credit_records(client, staff_a):
    assert_denied(client.get(reverse("registry_admin:credit_add")))


@pytest.mark.parametrize(
    "name",
    [
        "registry_filing:index",
        "registry_worker:index",
        "registry_agency:index",
        "registry_creditrecord:index",
        "registry_roster:index",
        "registry_cardbatch:index",
    ],
)
def test_listings_render_for_a_reviewer_with_bounded_queries(
    client, login_staff, reviewer, name, django_assert_max_num_queries
):
    login_staff(client, reviewer)
    for _ in range(3):
        CreditRecordFactory()
    with django_assert_max_num_queries(45):
        assert client.get(reverse(name)).status_code == 200


def test_listing_query_count_does_not_grow_with_rows(client, login_staff, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_staff(client, reviewer)
    WorkerFactory()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("registry_filing:index"))
    for _ in range(8):
        WorkerFactory()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("registry_filing:index"))
    assert len(many) == len(few)


def test_review_queue_filters_by_status_and_district(client, login_staff, reviewer):
    login_staff(client, reviewer)
    pudong = WorkerFactory(agency=AgencyFactory(district="pudong"))
    xuhui = WorkerFactory(agency=AgencyFactory(district="xuhui"), status=FilingStatus.APPROVED)
    html = client.get(reverse("registry_filing:index"), {"district": "pudong"}).content.decode()
    assert reverse("registry_admin:filing_review", args=[pudong.filings.get().pk]) in html
    assert reverse("registry_admin:filing_review", args=[xuhui.filings.get().pk]) not in html
    html = client.get(reverse("registry_filing:index"), {"status": "approved"}).content.decode()
    assert reverse("registry_admin:filing_review", args=[xuhui.filings.get().pk]) in html
    assert reverse("registry_admin:filing_review", args=[pudong.filings.get().pk]) not in html


def test_generic_edit_views_are_closed(client, login_staff, reviewer):
    """Changes go through services: the viewsets' own edit/delete forms refuse."""
    login_staff(client, reviewer)
    filing = Filing.objects.get(worker=WorkerFactory())
    assert_denied(client.get(reverse("registry_filing:edit", args=[filing.pk])))
    assert_denied(client.post(reverse("registry_filing:delete", args=[filing.pk])))
    assert Filing.objects.filter(pk=filing.pk, status=FilingStatus.SUBMITTED).exists()


# --- roster import --------------------------------------------------------------


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_roster_with_mixed_rows_files_the_good_ones_and_reports_the_bad(client, staff_a):
    ServiceCategory.objects.create(code="housework", name="家务服务")
    BranchFactory(agency=staff_a.agency, name="徐汇店")
    existing = WorkerFactory()
    good1, good2, dup, nameless = (next_id_number() for _ in range(4))
    bad_check = next_id_number()
    bad_check = bad_check[:-1] + ("1" if bad_check[-1] != "1" else "2")
    rows = [
        ["姓名", "身份证号", "手机号", "门店", "服务类别", "体检日期", "体检有效期至"],
        [
            "王一",
            good1,
            "13800001111",
            "徐汇店",
            "家务服务",
            "2025-01-01",
            "2026-01-01",
        ],  # row 2 ok
        ["王二", bad_check, "", "", "", "", ""],  # row 3 bad check digit
        ["", nameless, "123", "", "", "", ""],  # row 4: no name, bad phone
        ["王四", dup, "", "无此店", "未知类别", "2025/13/01", ""],  # row 5: several problems
        ["王五", existing.id_number, "", "", "", "", ""],  # row 6: already filed elsewhere
        ["王六", good2, "", "", "", "2025-02-01", "2026-02-01"],  # row 7 ok
        ["王七", good2, "", "", "", "", ""],  # row 8 duplicate of row 7 in the file
        [None, None, None, None, None, None, None],  # blank row skipped
    ]
    upload = SimpleUploadedFile("roster.xlsx", _xlsx(rows))
    response = client.post(reverse("registry_admin:roster_upload"), {"file": upload})
    assert response.status_code == 302
    roster = RosterImport.objects.get()
    assert roster.status == RosterImport.Status.DONE
    assert roster.created_count == 2
    assert roster.error_count == 5
    rows_with_errors = {e["row"] for e in roster.errors}
    assert rows_with_errors == {3, 4, 5, 6, 8}
    columns_row5 = {e["column"] for e in roster.errors if e["row"] == 5}
    assert columns_row5 == {"门店", "服务类别", "体检日期"}
    assert any("已有备案" in e["message"] for e in roster.errors if e["row"] == 6)
    assert any("第 7 行" in e["message"] for e in roster.errors if e["row"] == 8)
    # Good rows are filed; bad rows left nothing behind.
    names = set(Worker.objects.filter(agency=staff_a.agency).values_list("name", flat=True))
    assert names == {"王一", "王六"}
    assert Worker.objects.get(name="王一").branch.name == "徐汇店"
    # The error report names row, column and reason.
    report = client.get(reverse("registry_admin:roster_errors", args=[roster.pk]))
    text = report.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "行号,列,原因"
    assert "5,门店" in text
    detail = client.get(reverse("registry_admin:roster_detail", args=[roster.pk])).content.decode()
    assert "已提交备案 2 人" in detail


def test_roster_csv_in_gb18030_is_read(client, staff_a):
    number = next_id_number()
    content = f"姓名,身份证号\n李阿姨,{number}\n".encode("gb18030")
    client.post(
        reverse("registry_admin:roster_upload"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert Worker.objects.filter(name="李阿姨", agency=staff_a.agency).exists()


def test_roster_without_required_headers_is_refused(client, staff_a):
    content = "名字,号码\n张三,1\n".encode()
    response = client.post(
        reverse("registry_admin:roster_upload"), {"file": SimpleUploadedFile("r.csv", content)}
    )
    assert response.status_code == 200
    assert "表头缺少必填列" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_large_roster_runs_as_a_task_with_progress(
    client, staff_a, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from registry import tasks

    sent = []
    monkeypatch.setattr(tasks.roster_import_task, "delay", lambda pk: sent.append(pk))
    settings.REGISTRY_ROSTER_SYNC_MAX_ROWS = 5
    rows = [["姓名", "身份证号"]] + [[f"工{i}", next_id_number()] for i in range(60)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry_admin:roster_upload"),
            {"file": SimpleUploadedFile("big.xlsx", _xlsx(rows))},
        )
    roster = RosterImport.objects.get()
    # The task was sent after commit; until a worker runs it, the page shows progress.
    assert sent == [roster.pk]
    assert roster.status == RosterImport.Status.PENDING
    progress = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in progress
    assert "已处理 0 / 60 行" in progress
    tasks.roster_import_task.apply(args=[roster.pk])
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.DONE
    assert roster.created_count == 60 and roster.processed_rows == 60
    assert 'http-equiv="refresh"' not in client.get(response["Location"]).content.decode()


def test_roster_processing_is_idempotent(staff_a):
    from registry.services.rosters import roster_import_create, roster_import_process

    rows = [["姓名", "身份证号"], ["赵一", next_id_number()]]
    roster = roster_import_create(
        agency=staff_a.agency,
        upload=SimpleUploadedFile("a.xlsx", _xlsx(rows)),
        acting_user=staff_a.user,
    )
    roster_import_process(roster_import_id=roster.pk)
    roster.refresh_from_db()
    assert roster.created_count == 1 and roster.error_count == 0


def test_roster_template_downloads(client, staff_a):
    response = client.get(reverse("registry_admin:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_reviewer_is_not_agency_staff_for_filing(client, login_staff):
    user = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    login_staff(client, user)
    assert_denied(client.get(reverse("registry_admin:worker_file")))
