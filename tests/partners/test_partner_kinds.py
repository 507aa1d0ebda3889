"""What each kind of partner may be granted: a health-check institution reports health
checks, an insurer policies, the credit platform credit records; nobody else may."""

from django.core.exceptions import ValidationError

import pytest

from partners.models import Partner, Scope

pytestmark = pytest.mark.django_db

CASES = [
    (Scope.HEALTH_WRITE, Partner.Kind.HEALTH),
    (Scope.INSURANCE_WRITE, Partner.Kind.INSURER),
    (Scope.CREDIT_WRITE, Partner.Kind.CREDIT),
]


def _partner(kind, scope):
    return Partner(name="机构", kind=kind, contact_name="联系人", scope=scope)


@pytest.mark.parametrize(("scope", "kind"), CASES)
def test_the_scope_is_granted_to_its_kind(scope, kind):
    _partner(kind, f"{scope} {Scope.WORKERS_READ}").full_clean()


@pytest.mark.parametrize(("scope", "kind"), CASES)
def test_the_scope_is_refused_to_every_other_kind(scope, kind):
    for other in Partner.Kind.values:
        if other in (kind, Partner.Kind.AGENCY):
            continue
        with pytest.raises(ValidationError) as refused:
            _partner(other, scope).full_clean()
        assert "只能授予" in refused.value.message_dict["scope"][0]
