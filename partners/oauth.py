"""django-oauth-toolkit, fitted to partners: which scopes a client may get, who may get a
token, and the token endpoint with its call log.

Named in ``OAUTH2_PROVIDER`` (``SCOPES_BACKEND_CLASS``, ``OAUTH2_VALIDATOR_CLASS``);
DOT does the rest (client authentication against the hashed secret, the token,
its expiry, the OAuth error answers).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from urllib.parse import unquote_plus

from django.http import JsonResponse

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.views import TokenView

from lms.client import client_address
from lms.ratelimit import is_over

from .models import Scope
from .selectors import live_partner_for_application, partner_for_client_id
from .services import partner_call_record


class PartnerScopes(BaseScopes):
    """A client may ask for its partner's scopes and nothing more; ``pii:read`` only when
    it asks for it by name (a token without ``scope`` never unmasks anyone)."""

    def get_all_scopes(self):
        return {value: str(label) for value, label in Scope.choices}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        partner = live_partner_for_application(application)
        return partner.scopes if partner else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return [
            s for s in self.get_available_scopes(application, request) if s != Scope.PII_READ.value
        ]


class PartnerOAuth2Validator(OAuth2Validator):
    """DOT's validator, plus: the client's partner is active, its secret not revoked, and
    the request comes from an address on the partner's allowlist."""

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        partner = live_partner_for_application(request.client)
        if partner is None:
            return False
        # DOT hands the Django request's META to oauthlib as its headers.
        return partner.allows_address(client_address(self.build_http_request(request)))


def client_id_of(request) -> str:
    """The client id a token request names (HTTP Basic, or the form body), unverified:
    for the call log only; DOT authenticates the client."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return unquote_plus(decoded.partition(":")[0])
    return request.POST.get("client_id", "")


#: Token requests allowed per client address and minute: a token lives ten minutes, and
#: each request costs a password hash, so a flood of guesses is refused early.
EXCHANGES_PER_ADDRESS = "30/m"


class PartnerTokenView(TokenView):
    """DOT's token endpoint (client credentials), each request written to the call log."""

    def post(self, request, *args, **kwargs):
        started = time.monotonic()
        if is_over(request, "partners.token", EXCHANGES_PER_ADDRESS):
            response = JsonResponse({"error": "rate_limited"}, status=429)
            response["Retry-After"] = "60"
        else:
            response = super().post(request, *args, **kwargs)
        client_id = client_id_of(request)[:100]
        problem = ""
        if response.status_code != 200:
            try:
                problem = str(json.loads(response.content).get("error", ""))
            except (ValueError, AttributeError):
                problem = "error"
        partner_call_record(
            partner=partner_for_client_id(client_id),
            client_id=client_id,
            method="POST",
            endpoint="token",
            scope=request.POST.get("scope", ""),
            status=response.status_code,
            problem=problem,
            duration_ms=(time.monotonic() - started) * 1000,
            client_address=client_address(request),
        )
        response["Cache-Control"] = "no-store"
        return response
