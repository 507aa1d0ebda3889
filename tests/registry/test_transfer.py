"""A worker moves to another agency: one person, one card number, one history (#20)."""

import datetime

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from registry.models import Employment, Filing, FilingStatus, TransferRequest, Worker
from registry.selectors.access import filings_visible_to
from registry.selectors.filings import worker_filing, worker_is_registered
from registry.selectors.lookups import agency_filed_worker_count, worker_trace_lookup
from registry.selectors.statistics import filing_status_counts, registration_counts
from registry.services.cards import card_issue
from registry.services.filings import filing_approve, filing_withdraw
from registry.services.transfers import worker_confirm_transfer
from registry.services.workers import worker_create
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    EmploymentFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

NEUTRAL = "该服务员目前在其他机构从业，需原机构办理离职或本人确认后才能转入。"


@pytest.fixture
def old_agency():
    return AgencyFactory(name="上海旧东家家政有限公司", contact_email="old@agency.example")


@pytest.fixture
def new_staff():
    return AgencyStaffFactory(agency=AgencyFactory(name="上海新东家家政有限公司"))


def _file(worker, staff, **extra):
    return worker_create(
        name=worker.name,
        id_number=worker.id_number,
        agency=staff.agency,
        acting_user=staff.user,
        **extra,
    )


def _filings(worker):
    return list(Filing.objects.filter(worker=worker).order_by("pk"))


def test_an_ended_filing_lets_another_agency_file_the_worker_as_a_transfer(old_agency, new_staff):
    worker = ApprovedWorkerFactory(agency=old_agency)
    card = worker.card_number
    old = Filing.objects.get(worker=worker)
    filing_withdraw(filing=old, acting_user=reviewer_user(), reason="本人离职")

    moved = _file(worker, new_staff, phone="13912345678")

    assert moved.pk == worker.pk and Worker.objects.count() == 1
    moved.refresh_from_db()
    assert moved.card_number == card  # 一人一卡一号
    assert moved.agency == new_staff.agency and moved.phone == "13912345678"
    past, current = _filings(worker)
    assert past.pk == old.pk and not past.is_current and past.status == FilingStatus.WITHDRAWN
    assert past.filing_agency == old_agency
    assert current.is_current and current.kind == Filing.Kind.TRANSFER
    assert current.status == FilingStatus.SUBMITTED and current.filing_agency == new_staff.agency
    job = Employment.objects.get(worker=worker, end_date__isnull=True)
    assert job.agency == new_staff.agency and job.start_date == timezone.localdate()
    # Approved again, the worker keeps the card: no second card, the same number.
    filing_approve(filing=current, acting_user=reviewer_user())
    with pytest.raises(ValidationError):
        card_issue(worker=moved, acting_user=reviewer_user())
    assert Worker.objects.get(pk=worker.pk).card_number == card


def test_no_open_employment_lets_the_filing_go_ahead_and_tells_the_former_agency(
    old_agency, new_staff, django_capture_on_commit_callbacks
):
    worker = ApprovedWorkerFactory(agency=old_agency)
    # The former agency recorded the job and its end (离职) but left the filing approved.
    EmploymentFactory(
        worker=worker,
        start_date=timezone.localdate() - datetime.timedelta(days=300),
        end_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _file(worker, new_staff)
    past, current = _filings(worker)
    assert past.status == FilingStatus.WITHDRAWN and not past.is_current
    assert past.transitions.last().actor is None  # the former agency never sees who took over
    assert current.kind == Filing.Kind.TRANSFER
    assert [m.to for m in mail.outbox] == [["old@agency.example"]]
    assert "上海新东家" not in mail.outbox[0].body
    assert worker.id_last4 in mail.outbox[0].body


def test_an_open_employment_elsewhere_is_refused_neutrally_and_kept_as_a_request(
    old_agency, new_staff
):
    worker = ApprovedWorkerFactory(agency=old_agency)
    EmploymentFactory(worker=worker)
    for _ in range(2):
        with pytest.raises(ValidationError) as exc:
            _file(worker, new_staff)
        assert exc.value.message_dict == {"id_number": [NEUTRAL]}
    worker.refresh_from_db()
    assert worker.agency == old_agency
    assert len(_filings(worker)) == 1
    request = TransferRequest.objects.get()  # asking twice keeps one pending request
    assert request.agency == new_staff.agency and request.requested_by == new_staff.user
    assert request.status == TransferRequest.Status.PENDING


def test_a_live_filing_with_no_recorded_employment_still_holds_the_worker(old_agency, new_staff):
    worker = ApprovedWorkerFactory(agency=old_agency)
    with pytest.raises(ValidationError) as exc:
        _file(worker, new_staff)
    assert exc.value.messages == [NEUTRAL]


def test_a_known_id_number_with_another_name_is_refused_and_the_record_is_untouched(
    old_agency, new_staff
):
    worker = ApprovedWorkerFactory(agency=old_agency, name="张小红")
    filing_withdraw(
        filing=Filing.objects.get(worker=worker), acting_user=reviewer_user(), reason="离职"
    )
    with pytest.raises(ValidationError) as exc:
        worker_create(name="李大明", id_number=worker.id_number, agency=new_staff.agency)
    assert "姓名" in exc.value.messages[0]
    assert Worker.objects.get(pk=worker.pk).agency == old_agency
    assert len(_filings(worker)) == 1


def test_the_worker_confirms_the_move_from_their_record_page(
    client, login_worker, old_agency, new_staff, django_capture_on_commit_callbacks
):
    login = WorkerUserFactory()
    worker = ApprovedWorkerFactory(agency=old_agency, user=login)
    card = worker.card_number
    EmploymentFactory(worker=worker)
    with pytest.raises(ValidationError):
        _file(worker, new_staff)
    request = TransferRequest.objects.get()

    login_worker(client, login)
    html = client.get(reverse("registry:my_record")).content.decode()
    assert "上海新东家家政有限公司申请将您转入" in html and "确认转入" in html
    url = reverse("registry:my_transfer_answer", args=[request.pk, "confirm"])
    assert client.get(url).status_code == 405  # a GET never moves anyone
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302

    worker.refresh_from_db()
    assert worker.agency == new_staff.agency and worker.card_number == card
    old_job = Employment.objects.get(worker=worker, agency=old_agency)
    assert old_job.end_date == timezone.localdate()
    assert Employment.objects.get(worker=worker, end_date__isnull=True).agency == new_staff.agency
    current = worker_filing(worker)
    assert current.kind == Filing.Kind.TRANSFER and current.submitted_by == new_staff.user
    assert TransferRequest.objects.get().status == TransferRequest.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [["old@agency.example"]]
    html = client.get(reverse("registry:my_record")).content.decode()
    assert "申请将您转入" not in html and "历史备案" in html


def test_only_the_worker_themself_can_answer_a_request(client, login_worker, old_agency, new_staff):
    worker = ApprovedWorkerFactory(agency=old_agency, user=WorkerUserFactory())
    EmploymentFactory(worker=worker)
    with pytest.raises(ValidationError):
        _file(worker, new_staff)
    request = TransferRequest.objects.get()
    with pytest.raises(PermissionDenied):
        worker_confirm_transfer(transfer_request=request, acting_user=new_staff.user)
    stranger = WorkerUserFactory()
    ApprovedWorkerFactory(user=stranger)
    login_worker(client, stranger)
    url = reverse("registry:my_transfer_answer", args=[request.pk, "confirm"])
    assert client.post(url).status_code == 404
    assert Worker.objects.get(pk=worker.pk).agency == old_agency


def test_the_worker_may_decline(client, login_worker, old_agency, new_staff):
    login = WorkerUserFactory()
    worker = ApprovedWorkerFactory(agency=old_agency, user=login)
    EmploymentFactory(worker=worker)
    with pytest.raises(ValidationError):
        _file(worker, new_staff)
    request = TransferRequest.objects.get()
    login_worker(client, login)
    client.post(reverse("registry:my_transfer_answer", args=[request.pk, "decline"]))
    assert TransferRequest.objects.get().status == TransferRequest.Status.DECLINED
    assert Worker.objects.get(pk=worker.pk).agency == old_agency
    with pytest.raises(ValidationError):
        worker_confirm_transfer(transfer_request=request, acting_user=login)


def test_the_review_queue_marks_a_transfer(client, login_staff, old_agency, new_staff):
    worker = ApprovedWorkerFactory(agency=old_agency)
    filing_withdraw(
        filing=Filing.objects.get(worker=worker), acting_user=reviewer_user(), reason="离职"
    )
    _file(worker, new_staff)
    login_staff(client, reviewer_user())
    html = client.get(reverse("registry_filing:index"), {"status": "submitted"}).content.decode()
    assert "转入" in html
    current = worker_filing(worker)
    review = client.get(reverse("registry_admin:filing_review", args=[current.pk]))
    assert "转入" in review.content.decode()


def test_counts_and_lookups_read_the_current_filing_once_per_worker(old_agency, new_staff):
    worker = ApprovedWorkerFactory(agency=old_agency)
    filing_withdraw(
        filing=Filing.objects.get(worker=worker), acting_user=reviewer_user(), reason="离职"
    )
    _file(worker, new_staff)
    filing_approve(filing=worker_filing(worker), acting_user=reviewer_user())
    workers = Worker.objects.all()
    counts = registration_counts(workers)
    assert counts["applications"] == 1 and counts["registered"] == 1
    assert counts["withdrawn"] == 0 and counts["cards"] == 1
    assert filing_status_counts(workers) == {FilingStatus.APPROVED: 1}
    assert worker_is_registered(worker)
    found = worker_trace_lookup(card_number=worker.card_number)
    assert [w.pk for w in found] == [worker.pk]
    assert agency_filed_worker_count(new_staff.agency) == 1
    assert agency_filed_worker_count(old_agency) == 0
    # The new agency sees the worker's current filing, never the former agency's.
    visible = filings_visible_to(new_staff.user)
    assert list(visible) == [worker_filing(worker)]


def test_one_current_filing_per_worker_is_a_database_rule(old_agency):
    from django.db import IntegrityError, transaction

    worker = ApprovedWorkerFactory(agency=old_agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Filing.objects.create(worker=worker, filing_agency=old_agency, is_current=True)
