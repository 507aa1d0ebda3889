"""The partner operations answer as the live OpenAPI document says (schemathesis), with a
partner token holding every read scope and pii:read: no 5xx, no undeclared status, no
answer off its schema. Anonymous calls are covered by tests/lms/test_api_schemathesis.py."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from lms.wsgi import application
from tests.lms.test_api_schemathesis import connection_kept_across_requests  # noqa: F401
from tests.partners.conftest import PartnerFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SCOPES = (
    "certificates:read workers:read credit:read changes:read pii:read "
    "credit:write health:write insurance:write"
)

pytestmark = pytest.mark.django_db

# The webhook operations run below, with host names that are not looked up in DNS.
schema = (
    schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    .include(path_regex="^/api/v1/(partner/|changes|snapshot)")
    .exclude(path_regex="^/api/v1/partner/webhooks/")
)


@pytest.fixture
def partner_headers(certificate, token_for):
    partner = PartnerFactory(kind="national", scope=SCOPES, rate_per_minute=100_000)
    return {"Authorization": f"Bearer {token_for(partner, scope=SCOPES)}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_partner_answers_follow_the_schema(
    case,
    partner_headers,
    connection_kept_across_requests,  # noqa: F811
):
    case.call_and_validate(checks=CHECKS, headers=partner_headers)


webhooks = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/partner/webhooks/"
)


@pytest.fixture
def webhook_headers(token_for, monkeypatch):
    """A partner following changes; every host it names resolves to a public address (no
    DNS lookups of generated names), and nothing is sent."""
    from partners.webhooks import addresses, services, triggers

    monkeypatch.setattr(addresses, "resolve", lambda host, port: "8.8.8.8")
    monkeypatch.setattr(services, "pump_after_commit", lambda: None)
    monkeypatch.setattr(triggers, "pump_soon", lambda: None)
    partner = PartnerFactory(scope="changes:read", rate_per_minute=100_000)
    return {"Authorization": f"Bearer {token_for(partner, scope='changes:read')}"}


@webhooks.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_webhook_answers_follow_the_schema(
    case,
    webhook_headers,
    connection_kept_across_requests,  # noqa: F811
):
    case.call_and_validate(checks=CHECKS, headers=webhook_headers)
