"""The demo complaints: every status, an overdue one, printed links that show what they say,
idempotent."""

import pytest

from complaints import demo
from complaints.models import Complaint
from lms.demo import DemoContext
from tests.registry.factories import AgencyFactory, AgencyStaffFactory, ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


def test_seed_makes_every_status_and_is_idempotent(client, xuhui_regulator):
    main = AgencyFactory()
    workers = [ApprovedWorkerFactory(agency=main) for _ in range(5)]

    def run():
        ctx = DemoContext(password="x")
        ctx.users.update(
            district_regulator=xuhui_regulator,
            agency_staff=AgencyStaffFactory(agency=main).user,
        )
        ctx.data.update(
            demo_agency=main,
            agencies=[main, AgencyFactory()],
            workers=workers,
            demo_worker=workers[-1],
        )
        demo.seed(ctx)
        return ctx

    first = run()
    assert Complaint.objects.count() == 5
    statuses = sorted(Complaint.objects.values_list("status", "outcome"))
    assert statuses == [
        ("closed", "not_upheld"),
        ("closed", "upheld"),
        ("investigating", ""),
        ("investigating", ""),
        ("received", ""),
    ]
    assert not Complaint.objects.filter(worker=workers[-1]).exists()
    second = run()
    assert Complaint.objects.count() == 5 and second.urls == first.urls
    label, url = next((lab, u) for lab, u in first.urls if "进度查询" in lab)
    number = url.split("number=")[1]
    page = client.post("/complaints/track/", {"number": number, "phone_last4": label[-5:-1]})
    assert "已受理" in page.text and number in page.text
