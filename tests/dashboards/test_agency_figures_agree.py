"""Issue #21 item 13: the agency home shows one number per figure.

The funnel and the courses and certificates panels render side by side on the
admin home. On a dataset where counting certificates, enrolments or only the
workers who passed every earlier stage would give different answers, each
figure must read the same in the funnel and in its panel.
"""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

import pytest

from tests.courses.factories import CoursePageFactory, EnrolmentFactory, mark_course_completed

from .factories import CertificateFactory

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


@pytest.fixture
def dataset(stage):
    """Ten workers whose certificates and enrolments do not line up with the funnel's order."""
    today = timezone.localdate()
    second_course = CoursePageFactory()
    # Two valid certificates on one worker: one holder, two certificates.
    twice = stage.worker("certified")
    CertificateFactory(type=stage.cert_type, worker=twice)
    # A valid certificate without any course on the platform.
    CertificateFactory(type=stage.cert_type, worker=stage.worker("approved"))
    stage.worker("expired")
    revoked = stage.worker("passed")
    CertificateFactory(type=stage.cert_type, worker=revoked, revoked_at=timezone.now())
    superseded = stage.worker("passed")
    newer = CertificateFactory(type=stage.cert_type, worker=superseded)
    CertificateFactory(
        type=stage.cert_type,
        worker=superseded,
        issued_on=today - datetime.timedelta(days=60),
        superseded_by=newer,
    )
    # Learning two courses at once: one learner, two enrolments in progress.
    busy = stage.worker("enrolled")
    EnrolmentFactory(worker=busy, course=second_course)
    # Finished one course, still learning another.
    both = stage.worker("completed")
    EnrolmentFactory(worker=both, course=second_course)
    # Finished two courses.
    mark_course_completed(stage.worker("completed"), second_course)
    stage.worker("filed")
    return {"holders": 3, "enrolled": 7, "learning": 2, "completed": 6}


def funnel_row(html: str, label: str) -> int:
    match = re.search(rf'<th scope="row">{re.escape(label)}</th><td class="num">(\d+)</td>', html)
    assert match, f"no funnel row {label}"
    return int(match.group(1))


def panel_figure(html: str, label: str) -> int:
    match = re.search(rf"<strong>(\d+)</strong>{re.escape(label)}</li>", html)
    assert match, f"no panel figure {label}"
    return int(match.group(1))


def test_funnel_and_certificates_panel_show_the_same_holders(staff_client, dataset):
    html = staff_client.get(HOME).content.decode()
    assert funnel_row(html, "持有效证书") == dataset["holders"]
    assert panel_figure(html, "持有效证书（人）") == dataset["holders"]


def test_funnel_and_courses_panel_show_the_same_learners(staff_client, dataset):
    html = staff_client.get(HOME).content.decode()
    assert funnel_row(html, "已报名") == panel_figure(html, "已报名（人）") == dataset["enrolled"]
    assert funnel_row(html, "已学完") == dataset["completed"]
    # Learners, not enrolments: never more than the workers enrolled.
    assert panel_figure(html, "正在学习（人）") == dataset["learning"]


def test_the_standalone_workspace_agrees_with_the_home(staff_client, dataset):
    html = staff_client.get(reverse("dashboards_admin:agency")).content.decode()
    assert funnel_row(html, "持有效证书") == panel_figure(html, "持有效证书（人）")
    assert funnel_row(html, "已报名") == panel_figure(html, "已报名（人）")
