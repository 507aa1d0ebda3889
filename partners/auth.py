"""Who is calling the partner API, and whether they may: django-ninja auth on DOT tokens.

``PartnerBearer`` (one per operation, naming the operation and the scope it needs)
reads the bearer token and checks, on every call, in this order:

1. the token is one DOT issued and has not expired (a revoked secret deletes its
   tokens; the lookup is by the token's SHA-256, as DOT stores it) → else 401;
2. its partner is active → else 401, at once, whatever the token's expiry;
3. the caller's address is on the partner's allowlist (``lms.client``, counted from
   the right of X-Forwarded-For) → else 403;
4. the partner's per-minute budget (django-ratelimit on the cache, per process in
   memory when the cache fails, as ``lms.ratelimit``) → else 429 with Retry-After;
5. the scope the operation needs is both in the token and still the partner's
   (narrowing a partner applies to tokens already issued) → else 403.

Every refusal is a :class:`~partners.problems.PartnerProblem`, answered as problem
details and written to the call log like every other call.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from django_ratelimit.core import get_usage
from ninja.security import HttpBearer
from ninja.security.base import SecuritySchema

from lms.client import client_address
from lms.ratelimit import fallback

from .models import Partner, Scope
from .problems import PartnerProblem, problem_response
from .selectors import access_token_for
from .services import partner_call_record

TOKEN_URL = "/oauth/token/"  # noqa: S105 (a path, not a secret)


@dataclass
class CallInProgress:
    """What the call log needs to know about the call in progress (``request.partner_call``)."""

    endpoint: str
    scope: str
    started: float = field(default_factory=time.monotonic)
    partner: Partner | None = None
    client_id: str = ""
    purpose: str = ""
    subjects: int = 0


@dataclass(frozen=True)
class PartnerCaller:
    """An authenticated partner (``request.auth``): the partner and what its token grants."""

    partner: Partner
    client_id: str
    scopes: frozenset

    @property
    def may_read_pii(self) -> bool:
        return Scope.PII_READ.value in self.scopes


def retry_after(request, partner: Partner) -> int:
    """Counts this call against the partner's budget; 0 when within it, else the seconds
    until the budget is renewed. Never fails for a missing cache."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return 0
    rate = f"{partner.rate_per_minute}/m"
    group = f"partners.partner.{partner.pk}"
    if not fallback.active():
        try:
            usage = get_usage(
                request, group=group, key=lambda g, r: str(partner.pk), rate=rate, increment=True
            )
        except Exception as exc:  # whatever the backend raises (redis, OSError): count locally
            fallback.failed(exc)
        else:
            if usage is None or not usage["should_limit"]:
                return 0
            return max(1, int(usage["time_left"]))
    if fallback.is_over(request, group, rate):
        return 60 - int(time.time()) % 60
    return 0


def oauth2_security_scheme() -> SecuritySchema:
    """The OpenAPI security scheme: OAuth 2.0 client credentials, with every scope."""
    return SecuritySchema(
        "oauth2",
        description=(
            "客户端凭证模式（OAuth 2.0 client credentials）：用 client_id 与 client_secret 向 "
            f"{TOKEN_URL} 换取访问令牌，再以 Authorization: Bearer <token> 调用。"
        ),
        flows={
            "clientCredentials": {
                "tokenUrl": TOKEN_URL,
                "scopes": {value: str(label) for value, label in Scope.choices},
            }
        },
    )


class PartnerBearer(HttpBearer):
    """django-ninja auth for one partner operation: a DOT access token, checked as above."""

    def __init__(self, *, endpoint: str, scope: str = ""):
        """`scope`: what the operation needs, space-separated when it needs several."""
        super().__init__()
        self.endpoint = endpoint
        self.scope = scope
        if scope:
            # Ninja would list this scheme with no scopes; the operation states its
            # requirement with its scope instead (``scoped_security``).
            del self.openapi_security_schema
        else:
            self.openapi_security_schema = oauth2_security_scheme()

    def __call__(self, request):
        request.partner_call = CallInProgress(endpoint=self.endpoint, scope=self.scope)
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise PartnerProblem(
                "unauthenticated",
                _("请在 Authorization 头中提供访问令牌（Bearer）。"),
                headers={"WWW-Authenticate": 'Bearer realm="partner"'},
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        call = request.partner_call
        access_token = access_token_for(token)
        if access_token is None or access_token.is_expired():
            raise PartnerProblem(
                "unauthenticated",
                _("访问令牌无效或已过期，请重新换取。"),
                headers={"WWW-Authenticate": 'Bearer realm="partner", error="invalid_token"'},
            )
        # A token of a DOT application that is no partner's secret opens nothing here.
        credential = getattr(access_token.application, "partner_credential", None)
        if credential is None:
            raise PartnerProblem("unauthenticated", _("访问令牌无效或已过期，请重新换取。"))
        partner = credential.partner
        call.partner, call.client_id = partner, credential.client_id
        if not partner.is_active:
            raise PartnerProblem(
                "partner-disabled",
                headers={"WWW-Authenticate": 'Bearer realm="partner", error="invalid_token"'},
            )
        if not partner.allows_address(client_address(request)):
            raise PartnerProblem("address-not-allowed")
        wait = retry_after(request, partner)
        if wait:
            raise PartnerProblem(
                "rate-limited",
                _("超过了每分钟 %(rate)s 次的调用上限，请 %(seconds)s 秒后重试。")
                % {"rate": partner.rate_per_minute, "seconds": wait},
                headers={"Retry-After": str(wait)},
            )
        granted = frozenset(access_token.scope.split()) & frozenset(partner.scopes)
        missing = [s for s in self.scope.split() if s not in granted]
        if missing:
            raise PartnerProblem(
                "insufficient-scope",
                _("该接口需要 %(scope)s 权限。") % {"scope": self.scope},
                headers={
                    "WWW-Authenticate": (
                        f'Bearer realm="partner", error="insufficient_scope", scope="{self.scope}"'
                    )
                },
            )
        return PartnerCaller(partner=partner, client_id=credential.client_id, scopes=granted)


def scoped_security(scope: str) -> dict:
    """The operation's OpenAPI security requirement: the OAuth scheme with `scope`."""
    return {"security": [{PartnerBearer.__name__: scope.split()}]}


def record_call(request, status: int, problem: str = "") -> None:
    """Write the call in progress to the call log."""
    call = getattr(request, "partner_call", None)
    if call is None:
        return
    partner_call_record(
        partner=call.partner,
        client_id=call.client_id,
        method=request.method,
        endpoint=call.endpoint,
        scope=call.scope,
        purpose=call.purpose,
        subjects=call.subjects,
        status=status,
        problem=problem,
        duration_ms=(time.monotonic() - call.started) * 1000,
        client_address=client_address(request),
    )


def answer_problem(request, problem: PartnerProblem):
    """The problem-details answer of a refused call, written to the call log."""
    record_call(request, problem.status, problem.code)
    return problem_response(problem, instance=request.path)


def partner_operation(view):
    """Wrap a partner operation: a refusal inside it is answered as problem details, and
    every call that reaches it is written to the call log (refusals before it are written
    by the API's handler for :class:`PartnerProblem`)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            answer = view(request, *args, **kwargs)
        except PartnerProblem as problem:
            return answer_problem(request, problem)
        except Exception:
            record_call(request, 500, "server-error")
            raise
        # A write answers with its own response (201, or a replayed first answer).
        record_call(request, answer.status_code if isinstance(answer, HttpResponse) else 200)
        return answer

    return wrapped
