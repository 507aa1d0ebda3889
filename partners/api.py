"""The partner API under /api/v1/partner/ (issue #24, first part: the lookups).

OAuth 2.0 client credentials (token at /oauth/token/), one scope per operation,
answers masked unless the token holds ``pii:read`` (then a ``purpose`` is required
and recorded), errors as RFC 9457 problem details, every call in the call log.
Parameters are plain strings checked here, so that every refusal, a malformed
one included, is a problem answer with the field it concerns.
"""

import datetime
import json
import re

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from ninja import Field, Query, Router, Schema

from certificates.selectors.lookup import NUMBER_RE, TOKEN_RE
from certificates.selectors.records import certificate_by_number, certificate_by_token
from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record
from lms.http import private
from lms.validators import validate_credit_code, validate_resident_id
from registry.selectors.workers import (
    worker_find_by_card_number,
    worker_find_by_id_number,
    worker_own_record,
)

from .auth import PartnerBearer, partner_operation, scoped_security
from .models import Scope
from .problems import PROBLEM_TYPES, FieldError, PartnerProblem, problem_responses, type_uri
from .selectors import agency_answer, agency_by_credit_code, certificate_answer, worker_answer

router = Router(tags=["partner"])

CARD_RE = re.compile(r"^[A-Z0-9]{4,20}$")
PURPOSE_MAX = 200
PURPOSE_DESCRIPTION = (
    "查询用途（2–200 字），令牌含 pii:read 时必填并记入调用记录；不含 pii:read 时可省略，"
    "答复按公开页面脱敏。 Required with pii:read; recorded."
)


# --- answers ---------------------------------------------------------------------------------


class DoorOut(Schema):
    colour: str = Field(..., description="green | yellow | red")
    label: str
    reasons: list[str] = Field(..., description="不是绿码的原因，最严重的在前")


class PersonOut(Schema):
    name: str
    id_number: str
    phone: str
    card_number: str
    masked: bool = Field(..., description="true: 按公开页面脱敏（无 pii:read）")


class CertificateOut(Schema):
    number: str
    revision: int
    type: str
    issuer: str
    status: str = Field(..., description="valid | not_yet_valid | expired | revoked | superseded")
    status_label: str
    issued_on: datetime.date
    expires_on: datetime.date
    revoked_on: datetime.date | None = None
    door: DoorOut
    holder: PersonOut
    agency: str

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "number": "SH-JZ-2026-000123",
                    "revision": 1,
                    "type": "家政服务员上门服务证",
                    "issuer": "上海市商务委员会",
                    "status": "valid",
                    "status_label": "有效",
                    "issued_on": "2026-03-01",
                    "expires_on": "2029-02-28",
                    "revoked_on": None,
                    "door": {"colour": "green", "label": "绿码 · 证照齐全", "reasons": []},
                    "holder": {
                        "name": "张*红",
                        "id_number": "310***********1234",
                        "phone": "138****0001",
                        "card_number": "********0001",
                        "masked": True,
                    },
                    "agency": "上海示范家政服务有限公司",
                }
            ]
        }
    }


class WorkerCertificateOut(Schema):
    number: str
    type: str
    status: str
    status_label: str
    issued_on: datetime.date
    expires_on: datetime.date


class AgencyRefOut(Schema):
    name: str
    credit_code: str


class EmploymentOut(Schema):
    agency_name: str
    agency_credit_code: str
    start_date: datetime.date
    service_category: str


class CreditRecordOut(Schema):
    kind: str = Field(..., description="commendation | complaint | violation | blacklist")
    kind_label: str
    occurred_on: datetime.date
    source: str
    description: str
    expires_on: datetime.date | None = None


class CreditOut(Schema):
    level: str = Field(..., description="good | caution | blacklisted")
    label: str
    records: list[CreditRecordOut] = Field(..., description="现行的公开信用记录")


class WorkerOut(PersonOut):
    filing_status: str = Field(..., description="submitted | in_review | approved | …，空：未备案")
    filing_label: str
    agency: AgencyRefOut | None = Field(None, description="备案机构")
    current_employment: EmploymentOut | None = None
    health_check_expiry: datetime.date | None = None
    certificates: list[WorkerCertificateOut]
    credit: CreditOut
    door: DoorOut

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "张*红",
                    "id_number": "310***********1234",
                    "phone": "138****0001",
                    "card_number": "********0001",
                    "masked": True,
                    "filing_status": "approved",
                    "filing_label": "已登记",
                    "agency": {
                        "name": "上海示范家政服务有限公司",
                        "credit_code": "91310000MA1FL0001X",
                    },
                    "current_employment": {
                        "agency_name": "上海示范家政服务有限公司",
                        "agency_credit_code": "91310000MA1FL0001X",
                        "start_date": "2025-09-01",
                        "service_category": "家务服务",
                    },
                    "health_check_expiry": "2027-01-31",
                    "certificates": [
                        {
                            "number": "SH-JZ-2026-000123",
                            "type": "家政服务员上门服务证",
                            "status": "valid",
                            "status_label": "有效",
                            "issued_on": "2026-03-01",
                            "expires_on": "2029-02-28",
                        }
                    ],
                    "credit": {"level": "good", "label": "信用良好", "records": []},
                    "door": {"colour": "green", "label": "绿码 · 证照齐全", "reasons": []},
                }
            ]
        }
    }


class AgencyOut(Schema):
    name: str
    credit_code: str
    district: str
    filing_status: str
    filing_label: str
    is_demonstration_station: bool
    demonstration_year: int | None = None
    filed_workers: int
    credit: CreditOut


class MeOut(Schema):
    name: str
    kind: str = Field(..., description="government | credit | national | agency")
    agency: AgencyRefOut | None = None
    scopes: list[str] = Field(..., description="本令牌实际拥有的权限")
    rate_per_minute: int


class IdNumberLookupIn(Schema):
    id_number: str = Field(..., description="18 位居民身份证号（校验位按 GB 11643 校验）")
    purpose: str = Field(..., description=PURPOSE_DESCRIPTION)


# --- helpers -----------------------------------------------------------------------------------


def invalid_request(detail: str, *, parameter: str = "", pointer: str = "") -> PartnerProblem:
    return PartnerProblem(
        "invalid-request",
        errors=[FieldError(str(detail), parameter=parameter, pointer=pointer)],
    )


def record_purpose(request, purpose: str | None, *, pointer: str = "", parameter: str = "") -> None:
    """Record the stated purpose; with ``pii:read`` one is required."""
    purpose = (purpose or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise invalid_request(
            _("用途不能超过 %(max)s 个字。") % {"max": PURPOSE_MAX},
            parameter=parameter,
            pointer=pointer,
        )
    if request.auth.may_read_pii and len(purpose) < 2:
        raise PartnerProblem(
            "purpose-required",
            errors=[
                FieldError(
                    _("令牌含 pii:read 权限，请说明本次查询的用途。"),
                    parameter=parameter,
                    pointer=pointer,
                )
            ],
        )
    request.partner_call.purpose = purpose


def _own_workers_only(request, worker):
    """An agency's own system reads only its agency's workers: any other is not found."""
    partner = request.auth.partner
    if worker is None or (partner.agency_id and worker.agency_id != partner.agency_id):
        raise PartnerProblem("not-found")
    return worker


def answered(request, response: HttpResponse, subjects: int) -> None:
    request.partner_call.subjects = subjects
    private(response)


def _operation(scope: str, *statuses: int) -> dict:
    return {"responses": problem_responses(*statuses), **scoped_security(scope)}


LOOKUP_PROBLEMS = (401, 403, 404, 422, 429)


# --- operations ----------------------------------------------------------------------------------


@router.get(
    "/me",
    auth=PartnerBearer(endpoint="me"),
    response={200: MeOut},
    summary="本系统与令牌 The calling partner and its token",
    description="调用方的名称、类型、所属企业、本令牌的权限和每分钟调用上限。不需要特定权限。",
    operation_id="partner_me",
    openapi_extra={"responses": problem_responses(*LOOKUP_PROBLEMS)},
)
@partner_operation
def me(request, response: HttpResponse):
    partner = request.auth.partner
    answered(request, response, 0)
    return {
        "name": partner.name,
        "kind": partner.kind,
        "agency": {"name": partner.agency.name, "credit_code": partner.agency.credit_code}
        if partner.agency_id
        else None,
        "scopes": [s for s in Scope.values if s in request.auth.scopes],
        "rate_per_minute": partner.rate_per_minute,
    }


def _log_read(request, worker) -> None:
    """The read goes into the worker's view log, named by the partner (/me/views/, #26)."""
    worker_views_record(
        workers=[worker],
        kind=WorkerView.Kind.PARTNER_API,
        viewer_kind=ViewerKind.PARTNER,
        viewer_label=request.auth.partner.name,
        request=request,
    )


def _certificate(request, certificate, purpose, response):
    record_purpose(request, purpose, parameter="purpose")
    if certificate is None:
        raise PartnerProblem("not-found")
    answered(request, response, 1)
    _log_read(request, certificate.worker)
    return certificate_answer(certificate, unmasked=request.auth.may_read_pii)


@router.get(
    "/certificates/{number}",
    auth=PartnerBearer(endpoint="certificate_by_number", scope=Scope.CERTIFICATES_READ.value),
    response={200: CertificateOut},
    summary="按编号查证书 A certificate by number",
    description=(
        "证书状态、类型、日期、上门码颜色及原因（按这张证书判断，与扫码所见一致）与持证人。"
        "编号重发过的，答复最新一版。需要 certificates:read。"
    ),
    operation_id="partner_certificate_by_number",
    openapi_extra=_operation(Scope.CERTIFICATES_READ.value, *LOOKUP_PROBLEMS),
)
@partner_operation
def certificate_by_number_view(
    request,
    number: str,
    response: HttpResponse,
    purpose: str | None = Query(None, description=PURPOSE_DESCRIPTION),
):
    number = number.strip().upper()
    if not NUMBER_RE.match(number):
        raise invalid_request(_("证书编号格式不正确，例如 SH-JZ-2026-000123。"), parameter="number")
    return _certificate(request, certificate_by_number(number), purpose, response)


@router.get(
    "/certificates/by-token/{token}",
    auth=PartnerBearer(endpoint="certificate_by_token", scope=Scope.CERTIFICATES_READ.value),
    response={200: CertificateOut},
    summary="按二维码令牌查证书 A certificate by its QR token",
    description="token 为证书二维码 /v/<token>/ 中的部分。需要 certificates:read。",
    operation_id="partner_certificate_by_token",
    openapi_extra=_operation(Scope.CERTIFICATES_READ.value, *LOOKUP_PROBLEMS),
)
@partner_operation
def certificate_by_token_view(
    request,
    token: str,
    response: HttpResponse,
    purpose: str | None = Query(None, description=PURPOSE_DESCRIPTION),
):
    if not TOKEN_RE.match(token):
        raise invalid_request(_("二维码令牌格式不正确。"), parameter="token")
    return _certificate(request, certificate_by_token(token), purpose, response)


@router.get(
    "/workers/by-card/{card_number}",
    auth=PartnerBearer(endpoint="worker_by_card", scope=Scope.WORKERS_READ.value),
    response={200: WorkerOut},
    summary="按家政卡号查服务员 A worker by card number",
    description=(
        "备案状态、当前从业、证书、信用状况与上门码。企业平台只能查本企业的服务员，"
        "其他服务员答复 404。需要 workers:read。"
    ),
    operation_id="partner_worker_by_card",
    openapi_extra=_operation(Scope.WORKERS_READ.value, *LOOKUP_PROBLEMS),
)
@partner_operation
def worker_by_card_view(
    request,
    card_number: str,
    response: HttpResponse,
    purpose: str | None = Query(None, description=PURPOSE_DESCRIPTION),
):
    card_number = card_number.strip().upper()
    if not CARD_RE.match(card_number):
        raise invalid_request(_("家政卡号格式不正确，例如 SHJZ00000001。"), parameter="card_number")
    record_purpose(request, purpose, parameter="purpose")
    worker = _own_workers_only(request, worker_find_by_card_number(card_number))
    answered(request, response, 1)
    _log_read(request, worker)
    return worker_answer(worker_own_record(worker), unmasked=request.auth.may_read_pii)


ID_LOOKUP_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": IdNumberLookupIn.model_json_schema(),
                "example": {
                    "id_number": "310101199001011234",
                    "purpose": "一网通办核验家政服务员身份",
                },
            }
        },
    }
}


@router.post(
    "/workers/by-id-number",
    auth=PartnerBearer(
        endpoint="worker_by_id_number", scope=f"{Scope.WORKERS_READ.value} {Scope.PII_READ.value}"
    ),
    response={200: WorkerOut},
    summary="按身份证号查服务员 A worker by ID number (pii:read)",
    description=(
        "身份证号放在请求体中（不进地址栏和访问日志）。需要 workers:read 和 pii:read，"
        "purpose 必填并记入调用记录。企业平台只能查本企业的服务员。"
    ),
    operation_id="partner_worker_by_id_number",
    openapi_extra={
        "responses": problem_responses(*LOOKUP_PROBLEMS),
        "security": [{PartnerBearer.__name__: [Scope.WORKERS_READ.value, Scope.PII_READ.value]}],
        **ID_LOOKUP_BODY,
    },
)
@partner_operation
def worker_by_id_number_view(request, response: HttpResponse):
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise invalid_request(_("请求体应为 JSON 对象。"), pointer="") from None
    if not isinstance(body, dict):
        raise invalid_request(_("请求体应为 JSON 对象。"), pointer="")
    id_number, purpose = body.get("id_number"), body.get("purpose")
    if not isinstance(id_number, str) or not id_number.strip():
        raise invalid_request(_("请填写身份证号。"), pointer="#/id_number")
    if purpose is not None and not isinstance(purpose, str):
        raise invalid_request(_("用途应为文字。"), pointer="#/purpose")
    try:
        id_number = validate_resident_id(id_number)
    except ValidationError as exc:
        raise invalid_request(exc.messages[0], pointer="#/id_number") from None
    record_purpose(request, purpose, pointer="#/purpose")
    worker = _own_workers_only(request, worker_find_by_id_number(id_number))
    answered(request, response, 1)
    _log_read(request, worker)
    return worker_answer(worker_own_record(worker), unmasked=True)


@router.get(
    "/agencies/{credit_code}",
    auth=PartnerBearer(endpoint="agency_by_credit_code", scope=Scope.CREDIT_READ.value),
    response={200: AgencyOut},
    summary="按统一社会信用代码查企业 An agency by credit code",
    description=(
        "备案状态、示范站、已登记服务员数、信用状况与公开信用记录。"
        "信用代码按 GB 32100 校验。需要 credit:read。"
    ),
    operation_id="partner_agency_by_credit_code",
    openapi_extra=_operation(Scope.CREDIT_READ.value, *LOOKUP_PROBLEMS),
)
@partner_operation
def agency_by_credit_code_view(request, credit_code: str, response: HttpResponse):
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as exc:
        raise invalid_request(exc.messages[0], parameter="credit_code") from None
    agency = agency_by_credit_code(code)
    if agency is None:
        raise PartnerProblem("not-found")
    answered(request, response, 1)
    return agency_answer(agency)


@router.get("/problems/{code}", include_in_schema=False)
def problem_type(request, code: str):
    """What a problem ``type`` URI names (RFC 9457 asks that it be documentation)."""
    kind = PROBLEM_TYPES.get(code)
    if kind is None:
        return JsonResponse({"code": "not_found", "detail": _("未找到。")}, status=404)
    return JsonResponse(
        {
            "type": type_uri(code),
            "title": str(kind.title),
            "status": kind.status,
            "description": str(kind.description),
        },
        json_dumps_params={"ensure_ascii": False},
    )
