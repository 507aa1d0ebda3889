"""The pages the accessibility checks visit: the demo portal and one worker with a
course, an exam, certificates in three states and a confirmed visit. Shared by
tests/e2e/test_accessibility.py and benchmarks/a11y_lighthouse.py."""

import datetime

from django.utils import timezone

from cms import demo as cms_demo
from lms import demo as lms_demo
from lms.demo import DemoContext
from tests.courses.factories import EnrolmentFactory, LessonPageFactory
from tests.exams.factories import ExamFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust import factories as trust


def build_site() -> dict:
    """Seed the portal and the worker; the objects whose pages are checked, by name."""
    ctx = DemoContext(password="demo-pass")
    lms_demo.seed(ctx)
    cms_demo.seed(ctx)
    exam = ExamFactory(
        title="上门服务证考核", shuffle_questions=False, shuffle_choices=False, attempts_allowed=5
    )
    lesson = LessonPageFactory(parent=exam.course, title="服务规范与职业道德")
    worker = ApprovedWorkerFactory(
        name="陈美玲",
        user=WorkerUserFactory(),
        health_check_expiry=timezone.localdate() + datetime.timedelta(days=200),
    )
    EnrolmentFactory(worker=worker, course=exam.course)
    trust.insurance(worker)
    _visit, rating_token = trust.visit(worker)
    return {
        "worker": worker,
        "exam": exam,
        "lesson": lesson,
        "course": exam.course,
        "valid": trust.certificate(worker),
        "revoked": trust.certificate(ApprovedWorkerFactory(), revoked=True),
        "expired": trust.certificate(ApprovedWorkerFactory(), expires_in=-30),
        "rating_token": rating_token,
    }
