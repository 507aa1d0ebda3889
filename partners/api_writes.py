"""Partners' writes under /api/v1/partner/ (issue #24): filings, employment, credit, health
checks and insurance, each with an Idempotency-Key, through the registry's services.

Each operation runs the same service as the admin screens and the roster upload
(``registry.services.*``: the same validations, audit entries and side effects), inside
:func:`partners.idempotency.idempotent_write` (the key, one transaction, the first answer
kept, the partner named in the audit trail). Bodies are JSON, checked against the
operation's schema here so that every refusal is a problem naming its field.

- agency systems (``workers:write``) file workers into their own agency and change only
  their own agency's workers (any other worker is not found);
- credit platforms (``credit:write``) add and expire credit records (a blacklisting
  revokes the worker's certificates and turns the door red);
- health-check institutions (``health:write``) record a worker's health check;
- insurers (``insurance:write``) record a worker's liability insurance.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from lms.validators import validate_credit_code, validate_resident_id
from registry.selectors.credit import agency_credit_standing, worker_credit_standing
from registry.selectors.workers import (
    service_categories,
    worker_current_employment,
    worker_find_by_card_number,
    worker_find_by_id_number,
)
from registry.services.credit import credit_record_create, credit_record_expire
from registry.services.employment import employment_end, employment_start
from registry.services.insurance import insurance_add
from registry.services.transfers import TransferNeedsConsent, transfer_request_record
from registry.services.workers import worker_create, worker_set_photo, worker_update

from .auth import PartnerBearer, partner_operation
from .idempotency import (
    WriteAnswer,
    decode_photo,
    idempotent_write,
    invalid,
    write_body,
    write_openapi,
)
from .models import Scope
from .problems import FieldError, PartnerProblem
from .selectors import (
    agency_branch_by_name,
    agency_by_credit_code,
    agency_worker,
    credit_record_by_id,
    worker_reference,
)

router = Router(tags=["partner-writes"])

# --- bodies ----------------------------------------------------------------------------------


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


class WorkerFileIn(Body):
    name: str = Field(..., description="姓名")
    id_number: str = Field(..., description="18 位居民身份证号（GB 11643 校验位）")
    phone: str = Field("", description="11 位手机号")
    branch: str | None = Field(None, description="本企业门店名称")
    service_categories: list[str] = Field([], description="服务类别代码或名称")
    health_check_date: datetime.date | None = None
    health_check_expiry: datetime.date | None = None
    photo: str | None = Field(None, description="照片（JPG/PNG/WebP 的 base64），不超过 5 MB")


class ContactIn(Body):
    phone: str = Field(..., description="11 位手机号；服务员此后用新号码登录")


class PhotoIn(Body):
    photo: str = Field(..., description="照片（JPG/PNG/WebP 的 base64），不超过 5 MB")


class EmploymentStartIn(Body):
    start_date: datetime.date
    service_category: str | None = Field(None, description="服务类别代码或名称")
    branch: str | None = Field(None, description="本企业门店名称")


class EmploymentEndIn(Body):
    end_date: datetime.date


class CreditRecordIn(Body):
    worker_card_number: str | None = Field(None, description="服务员家政卡号（三选一）")
    worker_id_number: str | None = Field(None, description="服务员身份证号（三选一）")
    agency_credit_code: str | None = Field(None, description="企业统一社会信用代码（三选一）")
    kind: Literal["commendation", "complaint", "violation", "blacklist"]
    occurred_on: datetime.date
    description: str
    source: str = Field("", description="记录来源，省略时为本系统名称")
    is_public: bool = True
    expires_on: datetime.date | None = None


class CreditExpireIn(Body):
    reason: str
    on: datetime.date | None = Field(None, description="自该日起失效，省略为今天")


class HealthCheckIn(Body):
    card_number: str = Field(..., description="家政卡号")
    health_check_date: datetime.date
    health_check_expiry: datetime.date


class InsuranceIn(Body):
    card_number: str = Field(..., description="家政卡号")
    insurer: str = Field("", description="保险公司，省略时为本系统名称")
    policy_number: str = Field(..., description="保单号（6–40 位）")
    start_date: datetime.date
    end_date: datetime.date


# --- answers ---------------------------------------------------------------------------------


class DoorRefOut(Schema):
    colour: str = Field(..., description="green | yellow | red")
    label: str
    reasons: list[str]


class WorkerRefOut(Schema):
    id: int = Field(..., description="平台内服务员编号（后续写入用）")
    name: str
    id_number: str
    phone: str
    card_number: str = Field(..., description="家政卡号（登记后发卡，之前为空）")
    masked: bool = Field(..., description="true: 按公开页面脱敏（无 pii:read）")
    filing_status: str
    filing_label: str
    health_check_expiry: datetime.date | None = None
    door: DoorRefOut


class WorkerWriteOut(Schema):
    worker: WorkerRefOut


class EmploymentRefOut(Schema):
    id: int
    start_date: datetime.date
    end_date: datetime.date | None = None


class EmploymentWriteOut(WorkerWriteOut):
    employment: EmploymentRefOut


class CreditWriteOut(Schema):
    id: int = Field(..., description="信用记录编号（失效时用）")
    kind: str
    occurred_on: datetime.date
    expires_on: datetime.date | None = None
    standing: str = Field(..., description="记录对象现在的信用状况：good | caution | blacklisted")
    worker: WorkerRefOut | None = None
    agency_credit_code: str | None = None


class InsuranceWriteOut(WorkerWriteOut):
    insurance_id: int
    start_date: datetime.date
    end_date: datetime.date


# --- helpers ---------------------------------------------------------------------------------


def _worker_id(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise invalid(_("服务员编号应为数字。"), parameter="worker_id")
    return int(value)


def _own_agency(request) -> int:
    agency_id = request.auth.partner.agency_id
    if agency_id is None:
        raise PartnerProblem("insufficient-scope", _("只有企业平台可以报送本机构服务员。"))
    return agency_id


def _own_worker(request, worker_id: str):
    worker = agency_worker(_own_agency(request), _worker_id(worker_id))
    if worker is None:
        raise PartnerProblem("not-found")
    return worker


def _card_worker(card_number: str):
    worker = worker_find_by_card_number(card_number)
    if worker is None:
        raise PartnerProblem(
            "not-found", errors=[FieldError(_("没有这个家政卡号。"), pointer="#/card_number")]
        )
    return worker


def _category(label: str | None, pointer: str):
    if not label:
        return None
    label = label.strip()
    for category in service_categories():
        if label in (category.code, category.name):
            return category
    raise invalid(_("未知的服务类别“%(name)s”。") % {"name": label}, pointer=pointer)


def _branch(agency_id: int, name: str | None):
    if not name:
        return None
    branch = agency_branch_by_name(agency_id, name.strip())
    if branch is None:
        raise invalid(
            _("本企业没有名为“%(name)s”的门店。") % {"name": name.strip()}, pointer="#/branch"
        )
    return branch


def _ref(request, worker) -> dict:
    worker.refresh_from_db()
    return worker_reference(worker, unmasked=request.auth.may_read_pii)


def _write(path, *, endpoint, scope, out, summary, body, example, more=None, **idempotency):
    """Register a write: POST `path`, its scope, the call log, the Idempotency-Key; the
    view's docstring is its description."""

    def decorate(view):
        operation = partner_operation(idempotent_write(**idempotency)(view))
        return router.post(
            path,
            auth=PartnerBearer(endpoint=endpoint, scope=scope),
            response={201: out},
            summary=summary,
            description=f"{view.__doc__.strip()} {KEY_NOTE}需要 {scope}。",
            operation_id=f"partner_{endpoint}",
            openapi_extra=write_openapi(scope, body, example, more or {}),
        )(operation)

    return decorate


WORKERS_WRITE = Scope.WORKERS_WRITE.value
KEY_NOTE = "须带 Idempotency-Key 请求头；重试用同一个键。"
CARD_EXAMPLE = "SHJZ00000001"


# --- agency systems: workers:write -------------------------------------------------------------


def _refusal_kept(exc) -> None:
    # As the roster does: the refused filing's transaction dropped the transfer request.
    if isinstance(exc, TransferNeedsConsent):
        transfer_request_record(refusal=exc)


@_write(
    "/workers",
    endpoint="worker_file",
    scope=WORKERS_WRITE,
    out=WorkerWriteOut,
    summary="备案服务员 File a worker with the own agency",
    body=WorkerFileIn,
    example={
        "name": "张小红",
        "id_number": "310101199001011234",
        "phone": "13800000001",
        "service_categories": ["家务服务"],
        "health_check_date": "2026-11-02",
        "health_check_expiry": "2027-11-01",
    },
    conflict_fields=("id_number",),
    after_refusal=_refusal_kept,
)
def worker_file(request):
    """与企业工作台“备案服务员”和花名册导入相同：校验身份证号（校验位）与重复备案，建立档案并
    提交备案（submitted），由登记注册站审核。已在本机构备案、仍在其他机构从业：409（后者服务员
    可在本人页面确认转入）。"""
    _own_agency(request)
    agency = request.auth.partner.agency
    body = write_body(request, WorkerFileIn)
    try:
        validate_resident_id(body.id_number)  # the roster's check; duplicates: worker_create
    except ValidationError as exc:
        raise invalid(" ".join(exc.messages), pointer="#/id_number") from None
    categories = [
        _category(label, f"#/service_categories/{i}")
        for i, label in enumerate(body.service_categories)
    ]
    worker = worker_create(
        name=body.name,
        id_number=body.id_number,
        phone=body.phone,
        agency=agency,
        branch=_branch(agency.pk, body.branch),
        service_categories=categories,
        health_check_date=body.health_check_date,
        health_check_expiry=body.health_check_expiry,
        photo=decode_photo(body.photo),
    )
    return WriteAnswer({"worker": _ref(request, worker)})


@_write(
    "/workers/{worker_id}/contact",
    endpoint="worker_contact",
    scope=WORKERS_WRITE,
    out=WorkerWriteOut,
    summary="修改联系电话 Change a worker's phone",
    body=ContactIn,
    example={"phone": "13800000002"},
)
def worker_contact(request, worker_id: str):
    """本机构服务员的手机号（其登录号码随之改变）。其他机构的服务员：404。"""
    worker = _own_worker(request, worker_id)
    body = write_body(request, ContactIn)
    worker_update(worker=worker, phone=body.phone)
    return WriteAnswer({"worker": _ref(request, worker)})


@_write(
    "/workers/{worker_id}/photo",
    endpoint="worker_photo",
    scope=WORKERS_WRITE,
    out=WorkerWriteOut,
    summary="更换照片 Replace a worker's photo",
    body=PhotoIn,
    example={"photo": "/9j/4AAQSkZJRgABAQ…"},
    more={
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["photo"],
                "properties": {"photo": {"type": "string", "format": "binary"}},
            }
        }
    },
    pointers={"__all__": "#/photo"},
)
def worker_photo(request, worker_id: str):
    """JSON（photo 为 base64，请求体不超过 2.5 MB）或 multipart/form-data（photo 文件，不超过
    5 MB）。平台重新编码、去除 EXIF、生成缩略图；过大：413。"""
    worker = _own_worker(request, worker_id)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("photo")
        if upload is None:
            raise invalid(_("请上传照片。"), pointer="#/photo")
        data = upload.read()
    else:
        data = decode_photo(write_body(request, PhotoIn).photo)
    worker_set_photo(worker=worker, data=data)
    return WriteAnswer({"worker": _ref(request, worker)})


def _employment_answer(request, worker, employment) -> WriteAnswer:
    return WriteAnswer(
        {
            "worker": _ref(request, worker),
            "employment": {
                "id": employment.pk,
                "start_date": employment.start_date,
                "end_date": employment.end_date,
            },
        }
    )


@_write(
    "/workers/{worker_id}/employments",
    endpoint="employment_start",
    scope=WORKERS_WRITE,
    out=EmploymentWriteOut,
    summary="开始从业 Start an employment with the own agency",
    body=EmploymentStartIn,
    example={"start_date": "2026-12-01", "service_category": "家务服务"},
)
def employment_start_view(request, worker_id: str):
    """登记本机构服务员自某日起在本机构从业。已有未结束的从业经历：409。"""
    worker = _own_worker(request, worker_id)
    body = write_body(request, EmploymentStartIn)
    employment = employment_start(
        worker=worker,
        agency=worker.agency,
        start_date=body.start_date,
        branch=_branch(worker.agency_id, body.branch) or worker.branch,
        service_category=_category(body.service_category, "#/service_category"),
    )
    return _employment_answer(request, worker, employment)


@_write(
    "/workers/{worker_id}/employments/end",
    endpoint="employment_end",
    scope=WORKERS_WRITE,
    out=EmploymentWriteOut,
    summary="结束从业 End the current employment (离职)",
    body=EmploymentEndIn,
    example={"end_date": "2026-12-31"},
)
def employment_end_view(request, worker_id: str):
    """结束本机构服务员在本机构的当前从业经历。没有未结束的本机构从业经历：409。"""
    worker = _own_worker(request, worker_id)
    body = write_body(request, EmploymentEndIn)
    current = worker_current_employment(worker)
    if current is None or current.agency_id != worker.agency_id:
        raise PartnerProblem("conflict", _("该服务员没有在本机构未结束的从业经历。"))
    employment = employment_end(employment=current, end_date=body.end_date)
    return _employment_answer(request, worker, employment)


# --- credit platforms: credit:write ------------------------------------------------------------


def _credit_subject(body: CreditRecordIn):
    given = [
        (name, value)
        for name, value in (
            ("worker_card_number", body.worker_card_number),
            ("worker_id_number", body.worker_id_number),
            ("agency_credit_code", body.agency_credit_code),
        )
        if value
    ]
    if len(given) != 1:
        raise invalid(
            _("请在服务员卡号、服务员身份证号和企业信用代码中填写且只填写一项。"),
            pointer="#/worker_card_number",
        )
    name, value = given[0]
    pointer = f"#/{name}"
    try:
        if name == "worker_card_number":
            found = worker_find_by_card_number(value)
        elif name == "worker_id_number":
            found = worker_find_by_id_number(validate_resident_id(value))
        else:
            found = agency_by_credit_code(validate_credit_code(value))
    except ValidationError as exc:
        raise invalid(" ".join(exc.messages), pointer=pointer) from None
    if found is None:
        raise PartnerProblem("not-found", errors=[FieldError(_("没有找到。"), pointer=pointer)])
    return ("agency", found) if name == "agency_credit_code" else ("worker", found)


def _credit_answer(request, record) -> WriteAnswer:
    if record.worker_id:
        standing = worker_credit_standing(record.worker).level
        subject = {"worker": _ref(request, record.worker), "agency_credit_code": None}
    else:
        standing = agency_credit_standing(record.agency).level
        subject = {"worker": None, "agency_credit_code": record.agency.credit_code}
    return WriteAnswer(
        {
            "id": record.pk,
            "kind": record.kind,
            "occurred_on": record.occurred_on,
            "expires_on": record.expires_on,
            "standing": standing,
            **subject,
        }
    )


@_write(
    "/credit-records",
    endpoint="credit_record_create",
    scope=Scope.CREDIT_WRITE.value,
    out=CreditWriteOut,
    summary="新增信用记录 Add a credit record",
    body=CreditRecordIn,
    example={
        "worker_card_number": CARD_EXAMPLE,
        "kind": "violation",
        "occurred_on": "2026-11-20",
        "description": "未按合同约定提供服务，经调查属实。",
        "expires_on": "2027-11-20",
    },
)
def credit_record_create_view(request):
    """关于一名服务员（卡号或身份证号）或一家企业（统一社会信用代码）。列入黑名单（blacklist）
    立即生效：信用状况变为黑名单、上门码变红、其证书被吊销。"""
    body = write_body(request, CreditRecordIn)
    kind, subject = _credit_subject(body)
    record = credit_record_create(
        kind=body.kind,
        source=body.source or request.auth.partner.name,
        occurred_on=body.occurred_on,
        description=body.description,
        acting_user=None,
        is_public=body.is_public,
        expires_on=body.expires_on,
        **{kind: subject},
    )
    return _credit_answer(request, record)


@_write(
    "/credit-records/{record_id}/expire",
    endpoint="credit_record_expire",
    scope=Scope.CREDIT_WRITE.value,
    out=CreditWriteOut,
    summary="使信用记录失效 Expire a credit record",
    body=CreditExpireIn,
    example={"reason": "申诉成立，撤销该记录。"},
)
def credit_record_expire_view(request, record_id: str):
    """自某日（默认今天）起不再计入信用状况。已失效：409。"""
    if not record_id.isdigit() or len(record_id) > 12:
        raise invalid(_("信用记录编号应为数字。"), parameter="record_id")
    record = credit_record_by_id(int(record_id))
    if record is None:
        raise PartnerProblem("not-found")
    body = write_body(request, CreditExpireIn)
    credit_record_expire(record=record, acting_user=None, reason=body.reason, on=body.on)
    record.refresh_from_db()
    return _credit_answer(request, record)


# --- health-check institutions and insurers ----------------------------------------------------


@_write(
    "/health-checks",
    endpoint="health_check_record",
    scope=Scope.HEALTH_WRITE.value,
    out=WorkerWriteOut,
    summary="报送体检结果 Record a health check",
    body=HealthCheckIn,
    example={
        "card_number": CARD_EXAMPLE,
        "health_check_date": "2026-11-02",
        "health_check_expiry": "2027-11-01",
    },
)
def health_check_record(request):
    """按家政卡号记录服务员的体检日期和有效期，上门码随之更新。"""
    body = write_body(request, HealthCheckIn)
    worker = _card_worker(body.card_number)
    worker_update(
        worker=worker,
        health_check_date=body.health_check_date,
        health_check_expiry=body.health_check_expiry,
    )
    return WriteAnswer({"worker": _ref(request, worker)})


@_write(
    "/insurance-policies",
    endpoint="insurance_record",
    scope=Scope.INSURANCE_WRITE.value,
    out=InsuranceWriteOut,
    summary="报送保险 Record a liability insurance policy",
    body=InsuranceIn,
    example={
        "card_number": CARD_EXAMPLE,
        "insurer": "中国人民财产保险股份有限公司上海市分公司",
        "policy_number": "PZHA202631010000012345",
        "start_date": "2026-12-01",
        "end_date": "2027-11-30",
    },
)
def insurance_record(request):
    """按家政卡号记录服务员的责任保险（保单号加密保存）。同一保单重复报送：422。"""
    body = write_body(request, InsuranceIn)
    worker = _card_worker(body.card_number)
    insurance = insurance_add(
        worker=worker,
        insurer=body.insurer or request.auth.partner.name,
        policy_number=body.policy_number,
        start_date=body.start_date,
        end_date=body.end_date,
    )
    return WriteAnswer(
        {
            "worker": _ref(request, worker),
            "insurance_id": insurance.pk,
            "start_date": insurance.start_date,
            "end_date": insurance.end_date,
        }
    )
