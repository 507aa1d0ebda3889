"""Factories of the registry, with valid identifiers (python-stdnum check characters).

Workers are created through ``registry.services.workers.worker_create`` so that the
encrypted ID number, its keyed hash, the last four digits, birth date and
sex are always consistent, exactly as in production.
"""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.utils import timezone

import factory

from lms.accounts.roles import Role
from registry.models import (
    Agency,
    AgencyStaff,
    Branch,
    CreditRecord,
    District,
    Employment,
    Filing,
    FilingStatus,
    RegulatorProfile,
    ServiceCategory,
    Worker,
)
from registry.services.cards import card_issue
from registry.services.filings import (
    filing_approve,
    filing_reject,
    filing_return,
    filing_start_review,
    filing_withdraw,
)
from registry.services.workers import worker_create
from registry.synthetic import credit_code_for_index, resident_id_for_index
from tests.lms.factories import UserFactory

# Start far from the demo's indexes so factories never collide with seeded rows.
_id_counter = itertools.count(7_000_000)
_code_counter = itertools.count(500_000)


def next_id_number(sex: str | None = None) -> str:
    """A fresh valid resident ID number (GB 11643 check digit)."""
    return resident_id_for_index(next(_id_counter), sex=sex)


def next_credit_code() -> str:
    """A fresh valid unified social credit code (GB 32100 check character)."""
    return credit_code_for_index(next(_code_counter))


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"服务类别{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"上海测试家政服务有限公司{n}")
    credit_code = factory.LazyFunction(next_credit_code)
    district = District.XUHUI
    address = "上海市徐汇区漕溪北路 1 号"
    contact_name = "王经理"
    contact_phone = "021-64000000"
    filing_status = FilingStatus.APPROVED


class FiledAgencyFactory(AgencyFactory):
    """An agency with its own filing row (status taken from ``filing_status``)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def filing(self, create, extracted, **kwargs):
        if create:
            Filing.objects.get_or_create(agency=self, defaults={"status": self.filing_status})


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"第{n}门店")
    district = factory.SelfAttribute("agency.district")
    address = "上海市徐汇区天钥桥路 2 号"
    phone = "021-64000001"


class WorkerFactory(factory.django.DjangoModelFactory):
    """A worker filed through the service (filing 'submitted').

    Pass ``status=`` to move the filing through the state machine to that
    status (approved, rejected, returned, under_review, withdrawn), and
    ``card=True`` to issue a card after approval.
    """

    class Meta:
        model = Worker

    name = factory.Faker("name", locale="zh_CN")
    id_number = factory.LazyFunction(next_id_number)
    phone = factory.Sequence(lambda n: f"1370000{n:04d}")
    agency = factory.SubFactory(AgencyFactory)
    branch = None
    health_check_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=30)
    )
    health_check_expiry = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=335)
    )
    user = None
    status = FilingStatus.SUBMITTED
    card = False
    reviewer = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status")
        card = kwargs.pop("card")
        reviewer = kwargs.pop("reviewer")
        login = kwargs.pop("user")
        categories = kwargs.pop("service_categories", ())
        worker = worker_create(login=login, service_categories=categories, **kwargs)
        move_filing(worker, status, reviewer=reviewer)
        if card:
            card_issue(worker=worker, acting_user=reviewer)
        return worker

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        from lms.crypto import encrypt, lookup_hash
        from lms.validators import id_birth_date, id_sex

        for key in ("status", "card", "reviewer"):
            kwargs.pop(key)
        number = kwargs.pop("id_number")
        kwargs.pop("service_categories", None)
        return model_class(
            id_number_encrypted=encrypt(number),
            id_number_hash=lookup_hash(number),
            id_last4=number[-4:],
            birth_date=id_birth_date(number),
            sex=id_sex(number),
            **kwargs,
        )


def move_filing(worker: Worker, status: str, *, reviewer=None) -> Filing:
    """Drive the worker's filing through legal transitions to `status`."""
    filing = Filing.objects.get(worker=worker)
    reviewer = reviewer or _reviewer()
    if status == FilingStatus.SUBMITTED:
        return filing
    if status == FilingStatus.WITHDRAWN:
        filing_approve(filing=filing, acting_user=reviewer)
        return filing_withdraw(filing=filing, acting_user=reviewer, reason="本人申请注销")
    if status in (
        FilingStatus.UNDER_REVIEW,
        FilingStatus.APPROVED,
        FilingStatus.REJECTED,
        FilingStatus.RETURNED,
    ):
        filing_start_review(filing=filing, acting_user=reviewer)
    if status == FilingStatus.APPROVED:
        filing_approve(filing=filing, acting_user=reviewer)
    elif status == FilingStatus.REJECTED:
        filing_reject(filing=filing, acting_user=reviewer, reason="材料不实")
    elif status == FilingStatus.RETURNED:
        filing_return(filing=filing, acting_user=reviewer, reason="照片不清晰，请重新上传")
    return filing


def _reviewer():
    return UserFactory(username="factory-reviewer", is_staff=True, roles=[Role.REVIEWER])


class ApprovedWorkerFactory(WorkerFactory):
    """A registered worker (filing approved) with a card issued."""

    status = FilingStatus.APPROVED
    card = True


class FilingFactory(factory.django.DjangoModelFactory):
    """A filing row as-is (no history); for a worker's usual filing use WorkerFactory."""

    class Meta:
        model = Filing

    worker = None
    agency = factory.SubFactory(AgencyFactory)
    status = FilingStatus.SUBMITTED


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    worker = factory.SubFactory(ApprovedWorkerFactory)
    agency = factory.SelfAttribute("worker.agency")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=200))
    end_date = None


class CreditRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditRecord

    worker = factory.SubFactory(ApprovedWorkerFactory)
    agency = None
    kind = CreditRecord.Kind.COMMENDATION
    source = "徐汇区商务委员会"
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    description = "服务认真负责，获得雇主书面表扬。"
    is_public = True
    expires_on = None


class AgencyStaffFactory(factory.django.DjangoModelFactory):
    """Agency staff: a staff login in the "Agency staff" group, member of one agency."""

    class Meta:
        model = AgencyStaff

    user = factory.SubFactory(
        UserFactory,
        username=factory.Sequence(lambda n: f"agency-staff-{n}"),
        is_staff=True,
        roles=[Role.AGENCY_STAFF],
    )
    agency = factory.SubFactory(AgencyFactory)
    branch = None


class RegulatorFactory(factory.django.DjangoModelFactory):
    """A regulator's profile: district regulator when `district` is set, else city-wide."""

    class Meta:
        model = RegulatorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"regulator-{n}"), is_staff=True
    )
    district = District.XUHUI

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            name = Role.DISTRICT_REGULATOR if self.district else Role.CITY_REGULATOR
            self.user.groups.add(Group.objects.get(name=name))
            if hasattr(self.user, "_role_cache"):
                del self.user._role_cache


def reviewer_user(**kwargs):
    return UserFactory(is_staff=True, roles=[Role.REVIEWER], **kwargs)
