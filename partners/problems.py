"""Errors of the partner API as RFC 9457 problem details (``application/problem+json``).

Each problem has a machine ``type`` (an absolute URI under ``/api/v1/partner/problems/``
that answers with its description), a Chinese ``title`` fixed per type, the HTTP
``status``, a ``detail`` about this occurrence, and for invalid input ``errors``
naming each field: ``pointer`` (RFC 6901, into the JSON body) or ``parameter``
(a path or query parameter). The exam and verify API keep their own answers
(``lms.api_errors``); only the partner operations answer like this.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its code (the type URI's last segment), status and title."""

    code: str
    status: int
    title: str
    description: str


PROBLEM_TYPES = {
    t.code: t
    for t in (
        ProblemType(
            "unauthenticated",
            401,
            _("未认证"),
            _("缺少访问令牌，或令牌无效、已过期、已吊销。请用客户端凭证换取新令牌。"),
        ),
        ProblemType(
            "partner-disabled",
            401,
            _("合作系统已停用"),
            _("该合作系统已被监管部门停用，令牌立即失效。请联系市商务委。"),
        ),
        ProblemType(
            "address-not-allowed",
            403,
            _("来源地址不在白名单内"),
            _("请求的来源 IP 不在该合作系统登记的白名单内。"),
        ),
        ProblemType(
            "insufficient-scope",
            403,
            _("权限不足"),
            _(
                "令牌没有该接口所需的权限（scope）。换取令牌时请申请该权限；合作系统未获授权的权限无法申请。"
            ),
        ),
        ProblemType(
            "not-found",
            404,
            _("未找到"),
            _("没有找到该对象，或该对象不在本系统可查看的范围内。"),
        ),
        ProblemType(
            "invalid-request",
            422,
            _("请求参数有误"),
            _("请求中有字段不符合接口说明，errors 列出每个字段及原因。"),
        ),
        ProblemType(
            "purpose-required",
            422,
            _("须说明用途"),
            _(
                "令牌含 pii:read 权限时，每次查询个人信息都必须在 purpose 中说明用途，用途会被记录。"
            ),
        ),
        ProblemType(
            "idempotency-key-missing",
            400,
            _("缺少幂等键"),
            _(
                "写入接口必须带 Idempotency-Key 请求头（每次新的写入用一个新的键，重试时用同一个键），"
                "以免网络重试写入两次。"
            ),
        ),
        ProblemType(
            "idempotency-key-reused",
            422,
            _("幂等键已用于另一请求"),
            _("这个 Idempotency-Key 已经用于一个内容不同的请求。新的写入请换一个新的键。"),
        ),
        ProblemType(
            "idempotency-key-in-use",
            409,
            _("同一请求正在处理"),
            _("使用同一 Idempotency-Key 的请求仍在处理中，请稍后用同一个键重试。"),
        ),
        ProblemType(
            "conflict",
            409,
            _("与现有记录冲突"),
            _(
                "请求与平台上的现有记录冲突（例如身份证号已登记、从业关系已结束），detail 说明原因。"
            ),
        ),
        ProblemType(
            "cursor-expired",
            410,
            _("游标已过期"),
            _(
                "该游标之后的部分变更已超过保存期限被清除。请重新做一次全量快照，再从快照给出的游标继续读取变更。"
            ),
        ),
        ProblemType(
            "payload-too-large",
            413,
            _("请求体过大"),
            _("请求体超过了接口允许的大小（例如照片超过上限）。"),
        ),
        ProblemType(
            "rate-limited",
            429,
            _("调用过于频繁"),
            _("超过了该合作系统每分钟的调用上限。请按 Retry-After 头所示的秒数等待后重试。"),
        ),
    )
}


def type_uri(code: str) -> str:
    """The absolute ``type`` URI of problem `code`."""
    return f"{settings.SITE_URL}/api/v1/partner/problems/{code}"


class PartnerProblem(Exception):
    """Raised anywhere in a partner call; answered as problem details and recorded."""

    def __init__(self, code: str, detail: str = "", *, errors=None, headers=None):
        self.kind = PROBLEM_TYPES[code]
        self.code = code
        self.status = self.kind.status
        self.detail = str(detail or self.kind.description)
        self.errors = errors or []
        self.headers = headers or {}
        super().__init__(code)


@dataclass
class FieldError:
    """One invalid field: ``pointer`` into the body or the name of a parameter."""

    detail: str
    pointer: str = ""
    parameter: str = ""
    as_dict: dict = field(init=False)

    def __post_init__(self):
        self.as_dict = {"detail": str(self.detail)}
        if self.pointer:
            self.as_dict["pointer"] = self.pointer
        if self.parameter:
            self.as_dict["parameter"] = self.parameter


def problem_body(problem: PartnerProblem, *, instance: str = "") -> dict:
    body = {
        "type": type_uri(problem.code),
        "title": str(problem.kind.title),
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = [e.as_dict for e in problem.errors]
    return body


def problem_response(problem: PartnerProblem, *, instance: str = "") -> HttpResponse:
    """The problem as an ``application/problem+json`` answer, never cached."""
    response = HttpResponse(
        json.dumps(problem_body(problem, instance=instance), ensure_ascii=False),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store, private"
    for name, value in problem.headers.items():
        response[name] = value
    return response


#: JSON Schema of a problem (written out, so each operation's answers stand alone).
PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "机器可读的错误类型（URI）"},
        "title": {"type": "string", "description": "简短标题（中文），同一 type 不变"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "本次错误的说明（中文）"},
        "instance": {"type": "string", "description": "出错的请求路径"},
        "errors": {
            "type": "array",
            "description": "每个有误字段：pointer 指向请求体（RFC 6901），parameter 为路径或查询参数",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "detail": {"type": "string"},
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                },
            },
        },
    },
}

PROBLEM_EXAMPLES = {
    401: {
        "type": "https://jz.example.cn/api/v1/partner/problems/unauthenticated",
        "title": "未认证",
        "status": 401,
        "detail": "缺少访问令牌，或令牌无效、已过期、已吊销。请用客户端凭证换取新令牌。",
        "instance": "/api/v1/partner/me",
    },
    403: {
        "type": "https://jz.example.cn/api/v1/partner/problems/insufficient-scope",
        "title": "权限不足",
        "status": 403,
        "detail": "该接口需要 workers:read 权限。",
        "instance": "/api/v1/partner/workers/by-card/SHJZ00000001",
    },
    404: {
        "type": "https://jz.example.cn/api/v1/partner/problems/not-found",
        "title": "未找到",
        "status": 404,
        "detail": "没有找到该对象，或该对象不在本系统可查看的范围内。",
        "instance": "/api/v1/partner/workers/by-card/SHJZ00000001",
    },
    422: {
        "type": "https://jz.example.cn/api/v1/partner/problems/invalid-request",
        "title": "请求参数有误",
        "status": 422,
        "detail": "请求中有字段不符合接口说明，errors 列出每个字段及原因。",
        "instance": "/api/v1/partner/workers/by-id-number",
        "errors": [
            {
                "detail": "身份证号校验位不正确，请核对最后一位（可能是数字或 X）。",
                "pointer": "#/id_number",
            }
        ],
    },
    429: {
        "type": "https://jz.example.cn/api/v1/partner/problems/rate-limited",
        "title": "调用过于频繁",
        "status": 429,
        "detail": "超过了每分钟 120 次的调用上限，请 17 秒后重试。",
        "instance": "/api/v1/partner/me",
    },
}

#: The answer of ``lms.control_chars`` to control characters, before any API code runs.
CONTROL_CHARACTERS_SCHEMA = {
    "type": "object",
    "required": ["code", "detail"],
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
}


def problem_responses(*statuses: int) -> dict:
    """OpenAPI ``responses`` for the problem statuses of an operation (content type
    ``application/problem+json``), plus the site-wide 400 for control characters."""
    answers = {
        400: {
            "description": "控制字符 / control characters in the request (lms.control_chars)",
            "content": {"application/json": {"schema": CONTROL_CHARACTERS_SCHEMA}},
        }
    }
    for status in statuses:
        answer = {
            "description": ", ".join(t.code for t in PROBLEM_TYPES.values() if t.status == status),
            "content": {
                PROBLEM_CONTENT_TYPE: {
                    "schema": PROBLEM_SCHEMA,
                    "example": PROBLEM_EXAMPLES.get(status, PROBLEM_EXAMPLES[404]),
                }
            },
        }
        if status == 401:
            answer["headers"] = {
                "WWW-Authenticate": {
                    "description": "Bearer challenge (RFC 6750)",
                    "schema": {"type": "string"},
                }
            }
        if status == 429:
            answer["headers"] = {
                "Retry-After": {
                    "description": "seconds to wait before the next call",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        answers[status] = answer
    return answers
