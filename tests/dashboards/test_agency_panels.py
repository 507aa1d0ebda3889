"""The agency workspace on the admin home: each app contributes its own panel.

Issue #10: registry, courses, exams and certificates each add a panel from
their own ``wagtail_hooks.py`` (no lower app imports a higher one); the
dashboards app adds the funnel across them. Every panel is scoped to the staff
member's agency (and branch), and the standalone workspace page shows the same
panels.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from wagtail import hooks

import pytest

from registry.models import CreditRecord
from tests.courses.factories import EnrolmentFactory
from tests.registry.factories import CreditRecordFactory

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")

PANEL_MODULES = {
    "dashboards_agency": "dashboards.wagtail_hooks",
    "registry_agency": "registry.panels",
    "courses_agency": "courses.panels",
    "exams_agency": "exams.panels",
    "certificates_agency": "certificates.panels",
    "complaints_agency": "complaints.panels",
}


def _panels(response):
    return {p.name: p for p in response.context["panels"]}


def test_each_app_adds_its_own_panel_from_its_own_hooks(staff_client, funnel_data):
    panels = _panels(staff_client.get(HOME))
    assert {name: type(p).__module__ for name, p in panels.items()} == PANEL_MODULES
    # Registered by each app's own wagtail_hooks module.
    modules = {fn.__module__ for fn in hooks.get_hooks("construct_homepage_panels")}
    assert {
        "registry.wagtail_hooks",
        "courses.wagtail_hooks",
        "exams.wagtail_hooks",
        "certificates.wagtail_hooks",
        "dashboards.wagtail_hooks",
    } <= modules


def test_panels_are_ordered_funnel_first(staff_client, funnel_data):
    names = [p.name for p in staff_client.get(HOME).context["panels"]]
    assert names == [
        "dashboards_agency",
        "registry_agency",
        "courses_agency",
        "exams_agency",
        "certificates_agency",
        "complaints_agency",
    ]


def test_registry_panel_lists_returned_filings_and_complaints(staff_client, funnel_data, stage):
    CreditRecordFactory(
        worker=funnel_data["approved"],
        kind=CreditRecord.Kind.COMPLAINT,
        occurred_on=timezone.localdate(),
        description="上门迟到一小时",
    )
    response = staff_client.get(HOME)
    html = response.content.decode()
    assert "备案与体检" in html
    assert funnel_data["returned"].name in html
    assert "上门迟到一小时" in html
    assert reverse("registry_admin:worker_detail", args=[funnel_data["returned"].pk]) in html


def test_certificates_panel_counts_and_lists_expiring(staff_client, funnel_data):
    context = _panels(staff_client.get(HOME))["certificates_agency"].get_context_data()
    assert context["counts"]["expiring_30"] == 1
    assert context["counts"]["expired"] == 1
    assert context["counts"]["valid"] == 2
    listed = {c.worker_id for c in context["expiring"]}
    assert listed == {funnel_data["expiring"].pk, funnel_data["expired"].pk}
    # No worker of this dataset has insurance, so none is green; red before yellow.
    colours = [d["status"].colour for d in context["door_alerts"]]
    assert colours and set(colours) <= {"red", "yellow"}
    assert colours == sorted(colours)


def test_courses_panel_lists_learners_who_stopped(staff_client, stage):
    worker = stage.worker("approved")
    enrolment = EnrolmentFactory(worker=worker, course=stage.course)
    long_ago = timezone.now() - datetime.timedelta(days=20)
    type(enrolment).objects.filter(pk=enrolment.pk).update(
        enrolled_at=long_ago, last_activity_at=long_ago
    )
    stage.worker("enrolled")  # enrolled just now: learning, not stalled
    context = _panels(staff_client.get(HOME))["courses_agency"].get_context_data()
    assert context["counts"]["learning"] == 2
    assert context["counts"]["stalled"] == 1
    assert [e.worker_id for e in context["stalled"]] == [worker.pk]


def test_exams_panel_shows_latest_results(staff_client, funnel_data):
    context = _panels(staff_client.get(HOME))["exams_agency"].get_context_data()
    shown = {a.worker_id for a in context["results"]}
    assert funnel_data["failed"].pk in shown


def test_panels_show_only_the_agencys_own_workers(staff_client, funnel_data, other_stage):
    theirs = other_stage.worker("returned")
    html = staff_client.get(HOME).content.decode()
    assert theirs.name not in html


def test_the_workspace_page_shows_the_same_panels(staff_client, funnel_data):
    response = staff_client.get(reverse("dashboards_admin:agency"))
    assert response.status_code == 200
    assert [p.name for p in response.context["panels"]] == [
        p.name for p in staff_client.get(HOME).context["panels"]
    ]


def test_regulators_get_no_agency_panels(client, login_staff, city_regulator):
    login_staff(client, city_regulator)
    names = set(_panels(client.get(HOME)))
    assert not names & set(PANEL_MODULES)
