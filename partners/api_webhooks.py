"""A partner's own webhook endpoints under /api/v1/partner/webhooks (issue #24).

A partner registers, lists, deletes its HTTPS endpoints and rotates their signing
secrets itself, through the same services as the city regulators' admin screens
(``partners.webhooks.services``: the URL checks, the limit per partner, the audit
trail). Webhooks deliver change events, so every operation needs ``changes:read``.
A partner sees only its own endpoints: another's is not found (404).

Writes take an ``Idempotency-Key`` (``partners.idempotency``). A signing secret is
answered once, in the first answer only: the kept first answer holds no secret, so
a retry under the same key answers ``"secret": null`` (rotate to get a new one).
"""

from __future__ import annotations

import datetime
import functools
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

from ninja import Field, Router, Schema
from pydantic import ConfigDict

from lms.http import private
from lms.outbox import EventType

from .auth import PartnerBearer, partner_operation, scoped_security
from .idempotency import HEADER_PARAMETER, WriteAnswer, idempotent_write, invalid, write_body
from .idempotency import write_openapi as idempotent_openapi
from .models import Scope, WebhookEndpoint
from .problems import PROBLEM_CONTENT_TYPE, PROBLEM_SCHEMA, PartnerProblem, problem_responses
from .webhooks.selectors import endpoints_of
from .webhooks.services import (
    WebhookRefused,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    url_clean,
)

router = Router(tags=["partner-webhooks"])

SCOPE = Scope.CHANGES_READ.value
#: The site-wide answers every operation declares (tests/lms/test_api_error_answers.py).
READ_PROBLEMS = (401, 403, 404, 422, 429)
ONE_PROBLEMS = (401, 403, 404, 409, 422, 429)
KEY_NOTE = "须带 Idempotency-Key 请求头；重试用同一个键。"
ONCE_NOTE = (
    "签名密钥（whsec_…）只在第一次答复中出现，平台不保存明文答复；"
    "用同一幂等键重试时 secret 为 null，如未收到请再轮换一次。"
)
EXAMPLE_URL = "https://partner.example.cn/hooks/jz"


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(..., description="接收推送的 https 地址（公网地址，不能指向内网或本机）")
    event_types: list[str] = Field(
        [], description="订阅的事件类型，省略或为空表示全部：" + " | ".join(EventType.ALL)
    )


class EndpointOut(Schema):
    id: int
    url: str
    event_types: list[str] = Field(..., description="订阅的事件类型；空表示全部")
    is_active: bool = Field(..., description="false：已停用，不再推送（见 disabled_reason）")
    disabled_reason: str
    created_at: datetime.datetime

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 7,
                    "url": EXAMPLE_URL,
                    "event_types": ["certificate.revoked", "door.changed"],
                    "is_active": True,
                    "disabled_reason": "",
                    "created_at": "2026-12-07T09:30:00+08:00",
                }
            ]
        }
    }


class EndpointsOut(Schema):
    endpoints: list[EndpointOut]


class EndpointSecretOut(Schema):
    endpoint: EndpointOut
    secret: str | None = Field(..., description=ONCE_NOTE)


class DeletedOut(Schema):
    id: int
    deleted: bool


def _endpoint_answer(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "event_types": endpoint.types,
        "is_active": endpoint.is_active,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }


def _own_endpoint(request, endpoint_id: str) -> WebhookEndpoint:
    if not endpoint_id.isdigit() or len(endpoint_id) > 12:
        raise invalid(_("推送地址编号应为数字。"), parameter="endpoint_id")
    endpoint = request.auth.partner.webhook_endpoints.filter(pk=int(endpoint_id)).first()
    if endpoint is None:
        raise PartnerProblem("not-found")
    return endpoint


def with_secret(view):
    """Put the secret the write produced into its first answer only (outside the kept
    answer): the view leaves it on ``request.webhook_secret``."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.webhook_secret = None
        response = view(request, *args, **kwargs)
        secret = request.webhook_secret
        if secret and response.status_code in (200, 201) and "Idempotent-Replayed" not in response:
            body = json.loads(response.content)
            body["secret"] = secret
            response.content = json.dumps(body, ensure_ascii=False, sort_keys=True)
        return response

    return wrapped


def _operation_extra(statuses, *, key=False) -> dict:
    responses = problem_responses(*statuses)
    extra = {"responses": responses, **scoped_security(SCOPE)}
    if key:
        extra["parameters"] = [HEADER_PARAMETER]
        responses[400]["description"] = "idempotency-key-missing; " + responses[400]["description"]
        responses[400]["content"][PROBLEM_CONTENT_TYPE] = {"schema": PROBLEM_SCHEMA}
    return extra


@router.get(
    "",
    auth=PartnerBearer(endpoint="webhooks_list", scope=SCOPE),
    response={200: EndpointsOut},
    summary="本系统的推送地址 The partner's webhook endpoints",
    description="本系统登记的推送地址、订阅的事件和启用状态（不含密钥）。需要 changes:read。",
    operation_id="partner_webhooks_list",
    openapi_extra=_operation_extra(READ_PROBLEMS),
)
@partner_operation
def webhooks_list(request, response: HttpResponse):
    endpoints = list(endpoints_of(request.auth.partner))
    request.partner_call.subjects = len(endpoints)
    private(response)
    return {"endpoints": [_endpoint_answer(e) for e in endpoints]}


@router.post(
    "",
    auth=PartnerBearer(endpoint="webhook_create", scope=SCOPE),
    response={201: EndpointSecretOut},
    summary="登记推送地址 Register a webhook endpoint",
    description=(
        "登记一个 https 推送地址（每个系统最多 5 个），从现在起的变更事件推送到这里，"
        "按 Standard Webhooks 签名。地址不是 https、无法解析或指向内网、本机：422，"
        f"errors 指向 #/url。{ONCE_NOTE}{KEY_NOTE}需要 changes:read。"
    ),
    operation_id="partner_webhook_create",
    openapi_extra=idempotent_openapi(
        SCOPE,
        EndpointIn,
        {"url": EXAMPLE_URL, "event_types": ["certificate.revoked", "door.changed"]},
        {},
    ),
)
@partner_operation
@with_secret
@idempotent_write()
def webhook_create(request):
    body = write_body(request, EndpointIn)
    unknown = [t for t in body.event_types if t not in EventType.ALL]
    if unknown:
        raise invalid(
            _("未知的事件类型：%(names)s") % {"names": " ".join(unknown)}, pointer="#/event_types"
        )
    try:
        url = url_clean(body.url)
    except WebhookRefused as refused:
        raise invalid(refused.message, pointer="#/url") from None
    try:
        endpoint, secret = endpoint_create(
            partner=request.auth.partner, url=url, event_types=body.event_types
        )
    except WebhookRefused as refused:  # the limit of endpoints per partner
        raise PartnerProblem("conflict", refused.message) from None
    request.webhook_secret = secret
    return WriteAnswer({"endpoint": _endpoint_answer(endpoint), "secret": None})


@router.delete(
    "/{endpoint_id}",
    auth=PartnerBearer(endpoint="webhook_delete", scope=SCOPE),
    response={200: DeletedOut},
    summary="删除推送地址 Delete a webhook endpoint",
    description=(
        f"删除本系统的一个推送地址，尚未送达的推送不再发送。其他系统的地址：404。{KEY_NOTE}"
        "需要 changes:read。"
    ),
    operation_id="partner_webhook_delete",
    openapi_extra=_operation_extra(ONE_PROBLEMS, key=True),
)
@partner_operation
@idempotent_write()
def webhook_delete(request, endpoint_id: str):
    endpoint = _own_endpoint(request, endpoint_id)
    pk = endpoint.pk
    endpoint_delete(endpoint=endpoint)
    return WriteAnswer({"id": pk, "deleted": True}, status=200)


@router.post(
    "/{endpoint_id}/rotate-secret",
    auth=PartnerBearer(endpoint="webhook_rotate_secret", scope=SCOPE),
    response={200: EndpointSecretOut},
    summary="轮换签名密钥 Rotate an endpoint's signing secret",
    description=(
        "生成新的签名密钥；旧密钥在 24 小时内仍同时签名（webhook-signature 含两个签名），"
        f"请在此期间改用新密钥。{ONCE_NOTE}{KEY_NOTE}需要 changes:read。"
    ),
    operation_id="partner_webhook_rotate_secret",
    openapi_extra=_operation_extra(ONE_PROBLEMS, key=True),
)
@partner_operation
@with_secret
@idempotent_write()
def webhook_rotate_secret(request, endpoint_id: str):
    endpoint = _own_endpoint(request, endpoint_id)
    request.webhook_secret = endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    return WriteAnswer({"endpoint": _endpoint_answer(endpoint), "secret": None}, status=200)
