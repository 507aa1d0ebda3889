"""Which certificate an exam earns: one type per exam, the oldest when an editor made two."""

import pytest

from certificates.selectors.records import certificate_types_for_exams

from .factories import CertificateTypeFactory

pytestmark = pytest.mark.django_db


def test_each_exam_earns_its_oldest_type_in_one_query(django_assert_num_queries):
    first = CertificateTypeFactory(code="A1", seal=False)
    CertificateTypeFactory(code="A2", exam=first.exam, course=first.course, seal=False)
    other = CertificateTypeFactory(code="B1", seal=False)
    with django_assert_num_queries(1):
        types = certificate_types_for_exams([first.exam_id, other.exam_id, 999_999])
    assert types == {first.exam_id: first, other.exam_id: other}
