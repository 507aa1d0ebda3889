"""Partners' writes under an ``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header).

Every write operation is wrapped in :func:`idempotent_write`, which:

1. requires the ``Idempotency-Key`` header (1–255 printable characters; the draft's
   quoted form ``"…"`` is accepted too) → else 400 ``idempotency-key-missing``;
2. fingerprints the request: SHA-256 of the method, the path and the body (for a
   multipart body, its fields and the SHA-256 of each file, so that another boundary
   is the same request);
3. answers a key already used by this partner with the first answer again, status,
   body and headers, marked ``Idempotent-Replayed: true``, and writes nothing — or,
   when the fingerprint differs, 422 ``idempotency-key-reused``;
4. otherwise claims the key by inserting its :class:`~partners.models.IdempotentRequest`
   row and runs the write in the same transaction, under the partner's name in the
   audit trail (``lms.audit.acting_system``). A duplicate arriving while the first is
   in flight waits on the unique index (the uncommitted row): when the first commits
   it gets the first answer, when the first fails it runs itself. On PostgreSQL it
   waits at most ``PARTNER_IDEMPOTENCY_WAIT_SECONDS`` (``lock_timeout``), then 409
   ``idempotency-key-in-use`` (retry later with the same key);
5. turns a refusal of the registry's services (``ValidationError``) into a problem
   naming the fields (JSON pointers into the body): 422 ``invalid-request``, 409
   ``conflict`` for a clash with the registry's records, 413 for a photo too large.
   A refusal rolls back the write and the claim: nothing is changed and nothing is
   kept, so the same key may be sent again once the request is corrected.

First answers are kept ``PARTNER_IDEMPOTENCY_DAYS`` (7 by default; a key older than that
is new again) and deleted by :func:`idempotent_requests_purge` on the beat. The body of a
write is read by :func:`write_body` (a 422 naming each bad field by its JSON pointer).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from lms.audit import acting_system

from .auth import scoped_security
from .models import IdempotentRequest
from .problems import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_SCHEMA,
    FieldError,
    PartnerProblem,
    problem_responses,
)

HEADER = "Idempotency-Key"
KEY_MAX = 255
#: Codes of refusals that are a clash with the registry's records, not bad input.
CONFLICT_CODES = frozenset(
    {
        "duplicate",
        "name_mismatch",
        "employed_elsewhere",
        "employment_open",
        "employment_closed",
        "already_expired",
        "duplicate_policy",
        "illegal_transition",
    }
)
TOO_LARGE_CODES = frozenset({"photo_too_large"})
#: Postgres SQLSTATE of lock_not_available (the lock_timeout ran out).
LOCK_NOT_AVAILABLE = "55P03"

#: The OpenAPI parameter every write operation documents.
HEADER_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": True,
    "description": (
        "幂等键：每次新的写入用一个新的键（建议 UUID），网络重试时用同一个键。"
        "同一键、同一请求：返回第一次的答复，不会重复写入；同一键、不同请求：422；"
        "第一次仍在处理：409，稍后用同一键重试。键保存 7 天。"
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX},
    "example": "8e03978e-40d5-43e8-bc93-6894a57f9324",
}


def retention_days() -> int:
    return getattr(settings, "PARTNER_IDEMPOTENCY_DAYS", 7)


def wait_seconds() -> float:
    return getattr(settings, "PARTNER_IDEMPOTENCY_WAIT_SECONDS", 10)


@dataclass
class WriteAnswer:
    """What a write operation answers (kept as the first answer under its key)."""

    body: dict
    status: int = 201
    headers: dict = field(default_factory=dict)
    subjects: int = 1


class _Replay(Exception):
    def __init__(self, row: IdempotentRequest):
        super().__init__(row.key)
        self.row = row


def idempotency_key(request) -> str:
    """The request's key, or a 400 problem when it is missing or malformed."""
    raw = request.headers.get(HEADER, "").strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]  # the draft's Structured Field string form
    if not raw or len(raw) > KEY_MAX or not raw.isprintable():
        raise PartnerProblem(
            "idempotency-key-missing",
            errors=[
                FieldError(
                    _("请在 Idempotency-Key 请求头中提供 1–255 个可打印字符的幂等键。"),
                    parameter=HEADER,
                )
            ],
        )
    return raw


def request_fingerprint(request) -> str:
    """SHA-256 of the method, path and body (a multipart body by its parsed content)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.path}\n".encode())
    if request.content_type == "multipart/form-data":
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                files.append((name, content.hexdigest()))
        digest.update(json.dumps([fields, files], ensure_ascii=False).encode())
    else:
        try:
            digest.update(request.body)
        except RequestDataTooBig:
            raise PartnerProblem("payload-too-large") from None
    return digest.hexdigest()


def _replayed(row: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if row.fingerprint != fingerprint:
        raise PartnerProblem(
            "idempotency-key-reused",
            errors=[
                FieldError(
                    _("这个幂等键已用于另一个内容不同的请求（%(method)s %(path)s）。")
                    % {"method": row.method, "path": row.path},
                    parameter=HEADER,
                )
            ],
        )
    response = _response(row.status, row.body, row.headers)
    response["Idempotent-Replayed"] = "true"
    return response


def _response(status: int, body: dict, headers: dict) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json",
    )
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store, private"
    return response


def _live(partner, key: str) -> IdempotentRequest | None:
    cutoff = timezone.now() - datetime.timedelta(days=retention_days())
    return IdempotentRequest.objects.filter(
        partner=partner, key=key, created_at__gte=cutoff
    ).first()


def _lock_timeout_exceeded(exc: OperationalError) -> bool:
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code == LOCK_NOT_AVAILABLE


def _claim(request, partner, key: str, fingerprint: str) -> IdempotentRequest:
    """Insert the key's row (inside the caller's transaction); a row committed meanwhile by
    a duplicate is replayed, one still in flight past the wait is a 409."""
    cutoff = timezone.now() - datetime.timedelta(days=retention_days())
    # A key past its retention is new again.
    IdempotentRequest.objects.filter(partner=partner, key=key, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)",
                        [f"{int(wait_seconds() * 1000)}ms"],
                    )
            row = IdempotentRequest.objects.create(
                partner=partner,
                key=key,
                method=request.method,
                path=request.path[:300],
                fingerprint=fingerprint,
                status=0,
                body={},
                headers={},
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', '0', true)")
            return row
    except IntegrityError:
        row = _live(partner, key)
        if row is None:
            raise PartnerProblem("idempotency-key-in-use") from None
        raise _Replay(row) from None
    except OperationalError as exc:
        if _lock_timeout_exceeded(exc):
            raise PartnerProblem("idempotency-key-in-use") from None
        raise


def problem_for(exc: ValidationError, *, pointers: dict | None = None, conflict_fields=()):
    """The problem answering a service's refusal: each message with the pointer of its
    field (``pointers`` maps a service field to a JSON pointer, else ``#/<field>``).
    Errors on ``conflict_fields`` and non-field errors with a conflict code are 409."""
    pointers = pointers or {}
    errors, kind = [], "invalid-request"
    items = (
        exc.error_dict.items()
        if hasattr(exc, "error_dict")
        else [(NON_FIELD_ERRORS, exc.error_list)]
    )
    for name, entries in items:
        pointer = pointers.get(name, "" if name == NON_FIELD_ERRORS else f"#/{name}")
        for entry in entries:
            if entry.code in TOO_LARGE_CODES:
                kind = "payload-too-large"
            elif kind == "invalid-request" and (
                name in conflict_fields or entry.code in CONFLICT_CODES
            ):
                kind = "conflict"
            errors.extend(FieldError(str(m), pointer=pointer) for m in entry.messages)
    return PartnerProblem(kind, errors[0].detail if errors else "", errors=errors)


def idempotent_write(*, pointers: dict | None = None, conflict_fields=(), after_refusal=None):
    """Wrap a partner write (inside ``partner_operation``): the operation returns a
    :class:`WriteAnswer` and runs once per key, in one transaction with the key's claim.
    ``after_refusal(exc)`` runs after a refusal's rollback (what must outlive it)."""

    def decorate(operation):
        @functools.wraps(operation)
        def wrapped(request, *args, **kwargs):
            key = idempotency_key(request)
            fingerprint = request_fingerprint(request)
            partner = request.auth.partner
            call = request.partner_call
            try:
                stored = _live(partner, key)
                if stored is not None:
                    raise _Replay(stored)
                with (
                    transaction.atomic(),
                    acting_system(
                        kind="partner",
                        pk=partner.pk,
                        name=partner.name,
                        client_id=request.auth.client_id,
                    ),
                ):
                    row = _claim(request, partner, key, fingerprint)
                    answer = operation(request, *args, **kwargs)
                    row.status, row.headers = answer.status, answer.headers
                    row.body = json.loads(json.dumps(answer.body, cls=DjangoJSONEncoder))
                    row.save(update_fields=["status", "body", "headers"])
            except _Replay as replay:
                call.subjects = 1
                return _replayed(replay.row, fingerprint)
            except ValidationError as exc:
                if after_refusal is not None:
                    after_refusal(exc)
                raise problem_for(exc, pointers=pointers, conflict_fields=conflict_fields) from None
            call.subjects = answer.subjects
            return _response(answer.status, row.body, answer.headers)

        return wrapped

    return decorate


def idempotent_requests_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete first answers older than ``PARTNER_IDEMPOTENCY_DAYS``; how many (for the beat)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


WRITE_PROBLEMS = (401, 403, 404, 409, 413, 422, 429)


def write_openapi(scope: str, schema: type[BaseModel], example: dict, more: dict) -> dict:
    """The OpenAPI of a write: its body, the Idempotency-Key header, its scope, its problems."""
    responses = problem_responses(*WRITE_PROBLEMS)
    # 400: the missing key (problem details) besides the site-wide control characters.
    responses[400]["description"] = "idempotency-key-missing; " + responses[400]["description"]
    responses[400]["content"][PROBLEM_CONTENT_TYPE] = {"schema": PROBLEM_SCHEMA}
    media = {"application/json": {"schema": schema.model_json_schema(), "example": example}}
    return {
        "responses": responses,
        "parameters": [HEADER_PARAMETER],
        "requestBody": {"required": True, "content": {**media, **more}},
        **scoped_security(scope),
    }


# --- a write's body ----------------------------------------------------------------------------

SCHEMA_MESSAGES = {
    "missing": gettext_lazy("必填。"),
    "extra_forbidden": gettext_lazy("不接受这个字段。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_type": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "string_type": gettext_lazy("应为文字。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "list_type": gettext_lazy("应为数组。"),
    "literal_error": gettext_lazy("取值不在允许范围内。"),
    "json_invalid": gettext_lazy("请求体应为 JSON 对象。"),
    "model_type": gettext_lazy("请求体应为 JSON 对象。"),
}


def invalid(detail: str, *, pointer: str = "", parameter: str = "") -> PartnerProblem:
    """A 422 naming one field (a pointer into the body, or a parameter)."""
    return PartnerProblem(
        "invalid-request", errors=[FieldError(str(detail), pointer=pointer, parameter=parameter)]
    )


def write_body(request, schema: type[BaseModel]):
    """The JSON body checked against `schema`; else a 422 naming every bad field."""
    try:
        return schema.model_validate_json(request.body or b"null")
    except SchemaError as exc:
        errors = []
        for error in exc.errors():
            pointer = "#/" + "/".join(str(p) for p in error["loc"]) if error["loc"] else ""
            message = SCHEMA_MESSAGES.get(error["type"], error["msg"])
            errors.append(FieldError(str(message), pointer=pointer))
        raise PartnerProblem("invalid-request", errors=errors) from None


def decode_photo(encoded: str | None, pointer: str = "#/photo") -> bytes | None:
    """A base64 photo (a data: URL too) as bytes; the checks are ``registry.photos``'s."""
    if encoded is None:
        return None
    if encoded.startswith("data:") and "," in encoded[:100]:
        encoded = encoded.split(",", 1)[1]
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(_("照片应为 base64 编码。"), pointer=pointer) from None
