"""Every partner operation the OpenAPI document lists with scopes refuses a token that
lacks any one of them (403, problem details) before it reads its input.

Driven by the published document, so an operation added later is checked without a
line here: what a partner's engineer reads is what the server enforces.
"""

import re

from django.test import Client

import pytest

from partners.models import Scope
from tests.partners.conftest import PartnerFactory

pytestmark = pytest.mark.django_db

ALL = [s.value for s in Scope]


def _operations():
    """(method, path, scopes a token must lack to be refused). One security requirement
    needs all its scopes, so lacking any one is refused; several requirements are
    alternatives (OpenAPI), so only lacking every one of them is."""
    from lms.api import api

    document = api.get_openapi_schema()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            requirements = [
                scopes
                for requirement in operation.get("security", [])
                for scopes in requirement.values()
                if scopes
            ]
            if len(requirements) == 1:
                for scope in requirements[0]:
                    yield method, path, (scope,)
            elif requirements:
                yield method, path, tuple(sorted({s for r in requirements for s in r}))


OPERATIONS = sorted(set(_operations()))


def test_the_document_lists_the_partner_operations():
    assert len({(m, p) for m, p, _missing in OPERATIONS}) >= 20


@pytest.mark.parametrize(("method", "path", "missing"), OPERATIONS)
def test_refused_without_the_scopes_it_names(method, path, missing, token_for):
    # Every other scope the partner's kind may hold, so only the missing ones explain it.
    granted = [s for s in ALL if s not in missing and s != Scope.WORKERS_WRITE]
    partner = PartnerFactory(scope=" ".join(granted))
    token = token_for(partner, scope=" ".join(granted))
    url = re.sub(r"\{[^}]+\}", "X1", path)
    response = getattr(Client(), method)(
        url if method in ("post", "put", "patch") else f"{url}?purpose=scope-check",
        data="{}" if method in ("post", "put", "patch") else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="scope-check",
    )
    assert response.status_code == 403, (method, path, response.content[:300])
    assert response.json()["type"].endswith("/insufficient-scope")
