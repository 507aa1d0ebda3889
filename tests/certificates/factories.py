"""Factories of the certificates app.

cert_type = CertificateTypeFactory()          # 上门服务证 on a new exam, with a seal
certificate = IssuedCertificateFactory()      # issued through the service for a passed attempt
"""

import io

from wagtail.images.models import Image

import factory

from certificates.demo import make_photo_jpeg, make_seal_png
from certificates.models import CertificateType, RenewalRule
from certificates.services.issuing import certificate_issue
from tests.exams.factories import ExamFactory, PassedAttemptFactory
from tests.registry.factories import ApprovedWorkerFactory


def seal_image(title: str = "测试印章") -> Image:
    from django.core.files.images import ImageFile

    image = Image(title=title)
    image.file = ImageFile(io.BytesIO(make_seal_png()), name="seal.png")
    image.save()
    return image


def give_photo(worker, seed: int = 0):
    """Store a stand-in ID photo on `worker` (through the registry's service)."""
    from registry.services.workers import worker_set_photo

    worker_set_photo(worker=worker, data=make_photo_jpeg(seed))
    worker.refresh_from_db()
    return worker


class CertificateTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateType
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = "上门服务证"
    code = factory.Sequence(lambda n: f"T{n}")
    issuing_authority = "上海市商务委员会"
    validity_months = 36
    exam = factory.SubFactory(ExamFactory)
    course = factory.SelfAttribute("exam.course")
    pdf_title = "上门服务证"
    pdf_wording = "该同志已完成上门服务培训课程，经考核成绩合格，特发此证。"
    renewal_rule = RenewalRule.REEXAM

    @factory.post_generation
    def seal(self, create, extracted, **kwargs):
        if create and extracted is not False:
            self.seal_image = seal_image()
            self.save(update_fields=["seal_image"])


def passed_attempt(cert_type, worker=None, **kwargs):
    """A graded, passed attempt at the type's exam (for an approved worker with a card)."""
    worker = worker or ApprovedWorkerFactory()
    return PassedAttemptFactory(exam=cert_type.exam, worker=worker, **kwargs)


def issue(cert_type=None, worker=None, acting_user=None, **kwargs):
    """A certificate issued through ``certificate_issue`` for a new passed attempt."""
    cert_type = cert_type or CertificateTypeFactory()
    attempt = passed_attempt(cert_type, worker=worker, **kwargs)
    return certificate_issue(attempt=attempt, acting_user=acting_user)
