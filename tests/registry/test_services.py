"""Writes of the registry: filing, the state machine, cards, employment, credit."""

import datetime
import io

from django.core.exceptions import ValidationError

import pytest
import time_machine
from PIL import Image

from lms.audit import audit_entries
from lms.crypto import decrypt, lookup_hash
from registry.models import (
    CardBatch,
    CreditRecord,
    Employment,
    Filing,
    FilingStatus,
    FilingTransition,
    IssuedCard,
    Worker,
)
from registry.services import filings
from registry.services.agencies import agency_create
from registry.services.cards import card_issue, card_issue_batch
from registry.services.common import transfer_refusal_message
from registry.services.credit import (
    REVOKE_FOR_BLACKLIST_TASK,
    credit_record_create,
    credit_record_expire,
)
from registry.services.employment import employment_end, employment_start
from registry.services.filings import (
    IllegalTransition,
    filing_approve,
    filing_resubmit,
    filing_return,
    filing_start_review,
)
from registry.services.workers import worker_create, worker_set_photo
from tests.registry.factories import (
    AgencyFactory,
    ApprovedWorkerFactory,
    BranchFactory,
    EmploymentFactory,
    WorkerFactory,
    next_credit_code,
    next_id_number,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return reviewer_user()


# --- filing a worker -------------------------------------------------------------


def test_worker_create_encrypts_the_id_number_and_derives_birth_date_and_sex():
    number = next_id_number(sex="F")
    worker = worker_create(name="张小红", id_number=number, agency=AgencyFactory())
    worker.refresh_from_db()
    assert number not in worker.id_number_encrypted
    assert decrypt(worker.id_number_encrypted) == number
    assert worker.id_number_hash == lookup_hash(number)
    assert worker.id_last4 == number[-4:]
    assert worker.birth_date == datetime.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )
    assert worker.sex == "F"


def test_worker_create_opens_a_submitted_filing_with_history_and_audit():
    worker = worker_create(name="李四", id_number=next_id_number(), agency=AgencyFactory())
    filing = Filing.objects.get(worker=worker)
    assert filing.status == FilingStatus.SUBMITTED
    assert list(filing.transitions.values_list("from_status", "to_status")) == [
        ("", FilingStatus.SUBMITTED)
    ]
    assert audit_entries(filing).filter(action="registry.filing_submit").exists()
    assert audit_entries(worker).filter(action="registry.worker_create").exists()


def test_worker_create_refuses_an_invalid_id_number():
    number = next_id_number()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        worker_create(name="王五", id_number=wrong)
    assert "id_number" in exc.value.message_dict
    assert not Worker.objects.exists()


def test_filing_a_person_another_agency_holds_is_refused_naming_no_agency():
    number = next_id_number()
    agency = AgencyFactory(name="上海甲家政有限公司")
    first = worker_create(name="赵六", id_number=number, agency=agency)
    filing = Filing.objects.get(worker=first)
    with pytest.raises(ValidationError) as exc:
        worker_create(name="赵六", id_number=number.lower(), agency=AgencyFactory())
    message = exc.value.message_dict["id_number"][0]
    assert message == transfer_refusal_message()
    assert str(filing.pk) not in message
    assert "上海甲家政有限公司" not in message
    assert Worker.objects.count() == 1


def test_worker_create_refuses_a_branch_of_another_agency():
    with pytest.raises(ValidationError):
        worker_create(
            name="钱七", id_number=next_id_number(), agency=AgencyFactory(), branch=BranchFactory()
        )


def test_worker_create_refuses_a_bad_mobile_number():
    with pytest.raises(ValidationError):
        worker_create(name="孙八", id_number=next_id_number(), phone="12345")


# --- the state machine --------------------------------------------------------

LEGAL = [
    (FilingStatus.SUBMITTED, "filing_start_review", FilingStatus.UNDER_REVIEW),
    (FilingStatus.SUBMITTED, "filing_approve", FilingStatus.APPROVED),
    (FilingStatus.SUBMITTED, "filing_reject", FilingStatus.REJECTED),
    (FilingStatus.SUBMITTED, "filing_return", FilingStatus.RETURNED),
    (FilingStatus.SUBMITTED, "filing_withdraw", FilingStatus.WITHDRAWN),
    (FilingStatus.UNDER_REVIEW, "filing_approve", FilingStatus.APPROVED),
    (FilingStatus.UNDER_REVIEW, "filing_reject", FilingStatus.REJECTED),
    (FilingStatus.UNDER_REVIEW, "filing_return", FilingStatus.RETURNED),
    (FilingStatus.RETURNED, "filing_resubmit", FilingStatus.SUBMITTED),
    (FilingStatus.RETURNED, "filing_withdraw", FilingStatus.WITHDRAWN),
    (FilingStatus.APPROVED, "filing_withdraw", FilingStatus.WITHDRAWN),
]
ACTIONS = {
    "filing_start_review": FilingStatus.UNDER_REVIEW,
    "filing_approve": FilingStatus.APPROVED,
    "filing_reject": FilingStatus.REJECTED,
    "filing_return": FilingStatus.RETURNED,
    "filing_resubmit": FilingStatus.SUBMITTED,
    "filing_withdraw": FilingStatus.WITHDRAWN,
}
ILLEGAL = [
    (start, action)
    for start in FilingStatus.values
    for action, target in ACTIONS.items()
    if (start, action, target) not in LEGAL
]


def _call(action, filing, user):
    kwargs = {"filing": filing, "acting_user": user}
    if action in ("filing_reject", "filing_return", "filing_withdraw"):
        kwargs["reason"] = "材料需补充"
    return getattr(filings, action)(**kwargs)


@pytest.mark.parametrize(("start", "action", "target"), LEGAL)
def test_legal_transition_moves_the_filing_and_records_who_when_why(
    start, action, target, reviewer
):
    worker = WorkerFactory(status=start)
    filing = Filing.objects.get(worker=worker)
    before = filing.transitions.count()
    _call(action, filing, reviewer)
    filing.refresh_from_db()
    assert filing.status == target
    step = filing.transitions.order_by("-pk").first()
    assert filing.transitions.count() == before + 1
    assert (step.from_status, step.to_status, step.actor) == (start, target, reviewer)
    entry = audit_entries(filing).first()
    expected = "filing_submit" if action == "filing_resubmit" else action
    assert entry.action == f"registry.{expected}"
    assert entry.user_id == reviewer.pk
    assert entry.data["from"] == start and entry.data["to"] == target


@pytest.mark.parametrize(("start", "action"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(start, action, reviewer):
    worker = WorkerFactory(status=start)
    filing = Filing.objects.get(worker=worker)
    steps = filing.transitions.count()
    with pytest.raises(IllegalTransition):
        _call(action, filing, reviewer)
    filing.refresh_from_db()
    assert filing.status == start
    assert filing.transitions.count() == steps


@pytest.mark.parametrize("action", ["filing_reject", "filing_return", "filing_withdraw"])
def test_reject_return_and_withdraw_need_a_reason(action, reviewer):
    filing = Filing.objects.get(worker=WorkerFactory(status=FilingStatus.SUBMITTED))
    with pytest.raises(ValidationError) as exc:
        getattr(filings, action)(filing=filing, acting_user=reviewer, reason="  ")
    assert "reason" in exc.value.message_dict
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_reason_is_kept_on_the_filing_and_its_history(reviewer):
    filing = Filing.objects.get(worker=WorkerFactory())
    filing_return(filing=filing, acting_user=reviewer, reason="请补充体检报告")
    filing.refresh_from_db()
    assert filing.reason == "请补充体检报告"
    assert filing.reviewed_by == reviewer
    assert filing.transitions.last().reason == "请补充体检报告"


def test_agency_filing_keeps_agency_filing_status_in_sync(reviewer):
    agency = agency_create(
        name="上海乙家政服务有限公司", credit_code=next_credit_code(), district="xuhui"
    )
    assert agency.filing_status == FilingStatus.SUBMITTED
    filing = Filing.objects.get(agency=agency)
    filing_start_review(filing=filing, acting_user=reviewer)
    agency.refresh_from_db()
    assert agency.filing_status == FilingStatus.UNDER_REVIEW
    filing_approve(filing=filing, acting_user=reviewer)
    agency.refresh_from_db()
    assert agency.filing_status == FilingStatus.APPROVED


def test_agency_create_refuses_a_bad_credit_code_and_a_duplicate():
    code = next_credit_code()
    with pytest.raises(ValidationError):
        agency_create(
            name="坏代码",
            credit_code=code[:-1] + "0" if code[-1] != "0" else code[:-1] + "1",
            district="xuhui",
        )
    agency_create(name="甲", credit_code=code, district="xuhui")
    with pytest.raises(ValidationError) as exc:
        agency_create(name="乙", credit_code=code, district="xuhui")
    assert "甲" in exc.value.message_dict["credit_code"][0]


# --- cards --------------------------------------------------------------------


def test_card_is_issued_once_to_an_approved_worker(reviewer):
    worker = WorkerFactory(status=FilingStatus.APPROVED)
    card = card_issue(worker=worker, acting_user=reviewer)
    worker.refresh_from_db()
    assert worker.card_number == card.number
    assert worker.card_issued_at is not None
    assert audit_entries(worker).filter(action="registry.card_issue").exists()
    with pytest.raises(ValidationError):
        card_issue(worker=worker, acting_user=reviewer)


@pytest.mark.parametrize(
    "status",
    [
        FilingStatus.SUBMITTED,
        FilingStatus.UNDER_REVIEW,
        FilingStatus.RETURNED,
        FilingStatus.REJECTED,
        FilingStatus.WITHDRAWN,
    ],
)
def test_no_card_before_approval(status, reviewer):
    worker = WorkerFactory(status=status)
    with pytest.raises(ValidationError):
        card_issue(worker=worker, acting_user=reviewer)
    assert not IssuedCard.objects.filter(worker=worker).exists()


def test_card_numbers_are_never_reused_after_deletion(reviewer):
    first = ApprovedWorkerFactory()
    number = first.card_number
    first.delete()
    second = ApprovedWorkerFactory()
    assert second.card_number != number
    assert second.card_number > number
    assert IssuedCard.objects.filter(number=number).exists()


def test_batch_card_issue_gives_every_waiting_worker_of_the_agency_a_card(reviewer):
    agency = AgencyFactory()
    waiting = [WorkerFactory(agency=agency, status=FilingStatus.APPROVED) for _ in range(3)]
    WorkerFactory(agency=agency, status=FilingStatus.SUBMITTED)
    ApprovedWorkerFactory(agency=agency)  # already has a card
    other = WorkerFactory(status=FilingStatus.APPROVED)
    batch = card_issue_batch(agency=agency, acting_user=reviewer, collected_by="王经理")
    assert batch.card_count == 3
    numbers = {w.card_number for w in Worker.objects.filter(pk__in=[w.pk for w in waiting])}
    assert None not in numbers and len(numbers) == 3
    assert set(batch.cards.values_list("number", flat=True)) == numbers
    other.refresh_from_db()
    assert other.card_number is None
    assert audit_entries(batch).filter(action="registry.card_issue_batch").exists()


def test_batch_card_issue_is_all_or_nothing(reviewer):
    agency = AgencyFactory()
    ok = WorkerFactory(agency=agency, status=FilingStatus.APPROVED)
    not_approved = WorkerFactory(agency=agency, status=FilingStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        card_issue_batch(agency=agency, acting_user=reviewer, workers=[ok, not_approved])
    ok.refresh_from_db()
    assert ok.card_number is None
    assert not CardBatch.objects.exists()


def test_batch_card_issue_refuses_workers_of_another_agency(reviewer):
    agency = AgencyFactory()
    stranger = WorkerFactory(status=FilingStatus.APPROVED)
    with pytest.raises(ValidationError):
        card_issue_batch(agency=agency, acting_user=reviewer, workers=[stranger])


# --- photos -------------------------------------------------------------------


def _jpeg_with_exif(size=(1200, 1600)) -> bytes:
    image = Image.new("RGB", size, (200, 100, 50))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "GPS-leaking-software"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_resized_reencoded_and_stripped_of_exif():
    worker = WorkerFactory()
    data = _jpeg_with_exif()
    assert b"SecretCam" in data
    worker_set_photo(worker=worker, data=data)
    worker.refresh_from_db()
    stored = worker.photo.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.width <= 600 and image.height <= 800
        assert not image.getexif()
    with Image.open(worker.photo_thumbnail) as thumb:
        assert thumb.size == (120, 160)
    assert worker.name not in worker.photo.name


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not an image at all", "photo_invalid"),
        (b"\xff" * (5 * 1024 * 1024 + 1), "photo_too_large"),
    ],
)
def test_photo_refuses_bad_files(data, code):
    with pytest.raises(ValidationError) as exc:
        worker_set_photo(worker=WorkerFactory(), data=data)
    assert exc.value.code == code


def test_photo_refuses_gif_and_tiny_images():
    out = io.BytesIO()
    Image.new("RGB", (300, 300)).save(out, format="GIF")
    with pytest.raises(ValidationError) as exc:
        worker_set_photo(worker=WorkerFactory(), data=out.getvalue())
    assert exc.value.code == "photo_format"
    out = io.BytesIO()
    Image.new("RGB", (40, 40)).save(out, format="PNG")
    with pytest.raises(ValidationError) as exc:
        worker_set_photo(worker=WorkerFactory(), data=out.getvalue())
    assert exc.value.code == "photo_small"


# --- employment ---------------------------------------------------------------


def test_a_worker_has_at_most_one_open_employment():
    worker = ApprovedWorkerFactory()
    today = datetime.date.today()
    first = employment_start(
        worker=worker, agency=worker.agency, start_date=today - datetime.timedelta(days=100)
    )
    with pytest.raises(ValidationError):
        employment_start(worker=worker, agency=AgencyFactory(), start_date=today)
    employment_end(employment=first, end_date=today - datetime.timedelta(days=10))
    new_agency = AgencyFactory()
    employment_start(
        worker=worker, agency=new_agency, start_date=today - datetime.timedelta(days=5)
    )
    worker.refresh_from_db()
    assert worker.agency == new_agency
    assert Employment.objects.filter(worker=worker, end_date__isnull=True).count() == 1


def test_employment_cannot_end_before_it_starts_or_twice():
    employment = EmploymentFactory()
    with pytest.raises(ValidationError):
        employment_end(
            employment=employment, end_date=employment.start_date - datetime.timedelta(days=1)
        )
    employment_end(employment=employment, end_date=employment.start_date)
    with pytest.raises(ValidationError):
        employment_end(employment=employment, end_date=employment.start_date)


# --- credit records -----------------------------------------------------------


def test_blacklisting_a_worker_sends_the_revocation_task_after_commit(monkeypatch, reviewer):
    sent = []
    monkeypatch.setattr(
        "registry.services.credit.send_task_by_name",
        lambda name, *args: sent.append((name, args)),
    )
    worker = ApprovedWorkerFactory()
    credit_record_create(
        worker=worker,
        kind=CreditRecord.Kind.BLACKLIST,
        source="市商务委",
        occurred_on=datetime.date.today(),
        description="严重违规",
        acting_user=reviewer,
    )
    assert sent == [(REVOKE_FOR_BLACKLIST_TASK, (worker.pk,))]


def test_send_task_by_name_waits_for_commit(django_capture_on_commit_callbacks, reviewer):
    worker = ApprovedWorkerFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        credit_record_create(
            worker=worker,
            kind=CreditRecord.Kind.BLACKLIST,
            source="市商务委",
            occurred_on=datetime.date.today(),
            description="严重违规",
            acting_user=reviewer,
        )
    # Nothing is sent inside the transaction; the send waits among the on-commit callbacks.
    assert any("send_task_by_name" in cb.__qualname__ for cb in callbacks)


def test_other_records_send_no_task(monkeypatch, reviewer):
    sent = []
    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a: sent.append(a))
    for kind in ("commendation", "complaint", "violation"):
        credit_record_create(
            worker=ApprovedWorkerFactory(),
            kind=kind,
            source="区商务委",
            occurred_on=datetime.date.today(),
            description="记录",
            acting_user=reviewer,
        )
    credit_record_create(
        agency=AgencyFactory(),
        kind="blacklist",
        source="市商务委",
        occurred_on=datetime.date.today(),
        description="企业列入黑名单",
        acting_user=reviewer,
    )
    assert sent == []


def test_credit_record_needs_exactly_one_subject(reviewer):
    with pytest.raises(ValidationError):
        credit_record_create(
            kind="complaint",
            source="x",
            occurred_on=datetime.date.today(),
            description="y",
            acting_user=reviewer,
        )


@time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC))
def test_credit_record_expire_stops_it_counting_from_today(reviewer):
    worker = ApprovedWorkerFactory()
    record = credit_record_create(
        worker=worker,
        kind="violation",
        source="区商务委",
        occurred_on=datetime.date(2026, 1, 5),
        description="未按约定时间上门",
        acting_user=reviewer,
    )
    credit_record_expire(record=record, acting_user=reviewer, reason="整改完成")
    record.refresh_from_db()
    assert record.expires_on == datetime.date(2026, 3, 1)
    assert audit_entries(record).filter(action="registry.credit_record_expire").exists()
    with pytest.raises(ValidationError):
        credit_record_expire(record=record, acting_user=reviewer, reason="again")


def test_transitions_are_history_rows_in_order(reviewer):
    worker = WorkerFactory(status=FilingStatus.RETURNED)
    filing = Filing.objects.get(worker=worker)
    filing_resubmit(filing=filing, acting_user=reviewer)
    filing_approve(filing=filing, acting_user=reviewer)
    steps = list(FilingTransition.objects.filter(filing=filing).values_list("to_status", flat=True))
    assert steps == [
        FilingStatus.SUBMITTED,
        FilingStatus.UNDER_REVIEW,
        FilingStatus.RETURNED,
        FilingStatus.SUBMITTED,
        FilingStatus.APPROVED,
    ]
