"""An agency's own system gets only its agency, its workers, their certificates and the
credit records about them."""

import pytest

from registry.models import CreditRecord
from tests.certificates.factories import issue
from tests.registry.factories import WorkerFactory

from .conftest import AgencySystemFactory, PartnerFactory
from .test_snapshot_stream import lines, snapshot

pytestmark = pytest.mark.django_db

READ = "workers:read certificates:read credit:read"


def records(response) -> dict[str, list]:
    got = {}
    for line in lines(response)[1:-1]:
        got.setdefault(line["section"], []).append(line["record"])
    return got


def test_an_agency_system_reads_its_own_agency_only(token_for):
    own, other = issue().worker, issue().worker
    own_second = WorkerFactory(agency=own.agency)
    for subject in (own, other):
        CreditRecord.objects.create(
            worker=subject,
            kind="commendation",
            source="区商务委",
            occurred_on="2026-01-05",
            description="表彰",
        )
    CreditRecord.objects.create(
        agency=own.agency,
        kind="commendation",
        source="市商务委",
        occurred_on="2026-01-05",
        description="表彰",
    )
    CreditRecord.objects.create(
        agency=other.agency,
        kind="commendation",
        source="市商务委",
        occurred_on="2026-01-05",
        description="表彰",
    )
    system = AgencySystemFactory(agency=own.agency, scope=READ)

    got = records(snapshot(token_for(system, scope=READ)))

    assert [a["credit_code"] for a in got["agencies"]] == [own.agency.credit_code]
    assert {w["id"] for w in got["workers"]} == {own.pk, own_second.pk}
    assert [c["worker_id"] for c in got["certificates"]] == [own.pk]
    assert sorted(map(str, (r["subject"] for r in got["credit_records"]))) == sorted(
        [str({"worker_id": own.pk}), str({"agency": own.agency.credit_code})]
    )


def test_a_city_partner_reads_every_agency(token_for):
    issue(), issue()
    got = records(snapshot(token_for(PartnerFactory(scope=READ))))
    assert len(got["agencies"]) == 2
    assert len(got["workers"]) == 2
