"""The error answers every operation of the JSON API shares, and their handlers.

Each answer is JSON with a machine ``code`` and a Chinese ``detail``, and each
operation declares them (``responses(...)``) so that ``/api/v1/openapi.json``
describes every answer a client can get.
"""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class ApiError(Schema):
    code: str
    detail: str
    # The fields a request failed on (422 only), as pydantic reports them.
    errors: list[dict[str, Any]] = []


# Answers any operation may give: 400 for control characters in the request
# (lms.control_chars), 404 for an unknown or foreign object, 422 for a request
# that does not fit the operation's schema.
COMMON = (400, 404, 422)
# Added where the operation needs a signed-in user (403: CSRF token missing).
SIGNED_IN = (401, 403)


def responses(ok: dict | Any, *extra: int, signed_in: bool = False) -> dict:
    """``ok`` (a schema, or a {status: schema} map) plus the shared error answers."""
    answers = dict(ok) if isinstance(ok, dict) else {200: ok}
    codes = (*COMMON, *(SIGNED_IN if signed_in else ()), *extra)
    for code in codes:
        answers.setdefault(code, ApiError)
    return answers


def _body(code: str, detail: str, **extra) -> dict:
    return {"code": code, "detail": str(detail), **extra}


def register_handlers(api) -> None:
    """Answer ninja's and Django's errors as :class:`ApiError` JSON."""

    def not_found(request, exc):
        return api.create_response(request, _body("not_found", _("未找到。")), status=404)

    def unauthenticated(request, exc):
        return api.create_response(
            request, _body("not_authenticated", _("请先登录。")), status=exc.status_code
        )

    def http_error(request, exc):
        # ninja's own refusals (CSRF, throttling) carry an English message.
        if exc.status_code == 403:
            body = _body("forbidden", _("请求被拒绝：请刷新页面后重试。"))
        else:
            body = _body("error", exc.message)
        return api.create_response(request, body, status=exc.status_code)

    def invalid(request, exc):
        body = _body("invalid_request", _("请求内容不符合接口说明。"), errors=exc.errors)
        return api.create_response(request, body, status=422)

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, invalid)
