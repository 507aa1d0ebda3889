"""Partners, their secrets and tokens for the partner API tests."""

import base64

from django.test import Client

import factory
import pytest

from partners.models import Partner, Scope
from partners.services import partner_credential_create
from tests.registry.factories import AgencyFactory

READ_SCOPES = " ".join(
    [Scope.CERTIFICATES_READ, Scope.WORKERS_READ, Scope.CREDIT_READ, Scope.CHANGES_READ]
)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"测试合作系统{n}")
    kind = Partner.Kind.GOVERNMENT
    contact_name = "联系人"
    scope = READ_SCOPES
    rate_per_minute = 1000


class AgencySystemFactory(PartnerFactory):
    kind = Partner.Kind.AGENCY
    agency = factory.SubFactory(AgencyFactory)
    scope = f"{Scope.WORKERS_READ} {Scope.WORKERS_WRITE}"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def exchange(client_id: str, secret: str, scope: str | None = None, **extra):
    """POST the client-credentials grant to the token endpoint; the response."""
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return Client().post(
        "/oauth/token/", data, HTTP_AUTHORIZATION=basic(client_id, secret), **extra
    )


@pytest.fixture
def credentials():
    """`credentials(partner)` -> (client_id, secret) of a new secret of `partner`."""

    def make(partner):
        credential, secret = partner_credential_create(partner=partner)
        return credential.client_id, secret

    return make


@pytest.fixture
def token_for(credentials):
    """`token_for(partner, scope=None)` -> a fresh access token of `partner`."""

    def make(partner, scope=None):
        client_id, secret = credentials(partner)
        response = exchange(client_id, secret, scope)
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return make


@pytest.fixture
def api():
    """`api(method, path, token=None, **kw)` -> the response of the partner API."""
    client = Client()

    def call(method, path, token=None, **kwargs):
        if token is not None:
            kwargs["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return getattr(client, method.lower())(f"/api/v1/partner{path}", **kwargs)

    return call


@pytest.fixture
def certificate(db):
    """A valid certificate of an approved worker with a card (and a phone on file)."""
    from tests.certificates.factories import issue

    return issue()


@pytest.fixture
def lookups(certificate):
    """Every lookup operation as (name, method, path, extra kwargs, scopes it needs)."""
    worker = certificate.worker
    return {
        "certificate_by_number": (
            "get",
            f"/certificates/{certificate.number}",
            {},
            ["certificates:read"],
        ),
        "certificate_by_token": (
            "get",
            f"/certificates/by-token/{certificate.token}",
            {},
            ["certificates:read"],
        ),
        "worker_by_card": ("get", f"/workers/by-card/{worker.card_number}", {}, ["workers:read"]),
        "worker_by_id_number": (
            "post",
            "/workers/by-id-number",
            {
                "data": {"id_number": worker.id_number, "purpose": "核验身份"},
                "content_type": "application/json",
            },
            ["workers:read", "pii:read"],
        ),
        "agency_by_credit_code": (
            "get",
            f"/agencies/{worker.agency.credit_code}",
            {},
            ["credit:read"],
        ),
    }
