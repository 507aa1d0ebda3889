"""Factories for the dashboards' tests: a certificate row as-is, and a funnel dataset."""

import datetime
import secrets

from django.utils import timezone

import factory

from certificates.models import Certificate
from registry.models import FilingStatus
from tests.certificates.factories import CertificateTypeFactory
from tests.courses.factories import (
    CoursePageFactory,
    EnrolmentFactory,
    LessonPageFactory,
    mark_course_completed,
)
from tests.exams.factories import ExamFactory, FailedAttemptFactory, PassedAttemptFactory
from tests.registry.factories import WorkerFactory


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row built directly (no PDF), valid for a year unless told otherwise."""

    class Meta:
        model = Certificate

    type = factory.SubFactory(CertificateTypeFactory, seal=False)
    number = factory.Sequence(lambda n: f"SH-T-2026-{n:06d}")
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    worker = factory.SubFactory(WorkerFactory, status=FilingStatus.APPROVED, card=True)
    agency = factory.SelfAttribute("worker.agency")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))


class Stage:
    """Builds workers of one agency at each stage of the funnel."""

    def __init__(self, agency, branch=None):
        self.agency = agency
        self.branch = branch
        self.course = CoursePageFactory()
        LessonPageFactory.create_batch(2, parent=self.course)
        self.exam = ExamFactory(course=self.course)
        self.cert_type = CertificateTypeFactory(exam=self.exam, course=self.course, seal=False)

    def worker(self, stage: str, **kwargs):
        kwargs.setdefault("agency", self.agency)
        kwargs.setdefault("branch", self.branch)
        if stage == "filed":
            return WorkerFactory(**kwargs)
        if stage == "returned":
            return WorkerFactory(status=FilingStatus.RETURNED, **kwargs)
        worker = WorkerFactory(status=FilingStatus.APPROVED, card=True, **kwargs)
        if stage == "approved":
            return worker
        if stage == "enrolled":
            EnrolmentFactory(worker=worker, course=self.course)
            return worker
        mark_course_completed(worker, self.course)
        if stage == "completed":
            return worker
        if stage == "failed":
            FailedAttemptFactory(exam=self.exam, worker=worker, number=1)
            return worker
        attempt = PassedAttemptFactory(exam=self.exam, worker=worker, number=1)
        if stage == "passed":
            return worker
        today = timezone.localdate()
        if stage == "certified":
            CertificateFactory(type=self.cert_type, worker=worker, attempt=attempt)
        elif stage == "expiring":
            CertificateFactory(
                type=self.cert_type,
                worker=worker,
                attempt=attempt,
                expires_on=today + datetime.timedelta(days=20),
            )
        elif stage == "expired":
            CertificateFactory(
                type=self.cert_type,
                worker=worker,
                attempt=attempt,
                issued_on=today - datetime.timedelta(days=800),
                expires_on=today - datetime.timedelta(days=5),
            )
        else:
            raise ValueError(stage)
        return worker
