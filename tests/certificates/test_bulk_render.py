"""Rendering many certificates at once (``certificates_render``: an issued chunk, a regeneration).

Rows are locked and updated a group at a time, in a number of queries that
does not grow with the group; one failing certificate is reported and left
for the reconciler without stopping the others; re-running does nothing.
"""

import pytest

from certificates import pdf
from certificates.models import Certificate
from certificates.selectors.pending import certificates_needing_pdf, expected_pdf_revision
from certificates.services.issuing import certificates_issue
from certificates.services.rendering import certificates_render

pytestmark = pytest.mark.django_db


def _issued(cert_type, n):
    from tests.certificates.factories import passed_attempt

    outcome = certificates_issue(attempt_ids=[passed_attempt(cert_type).pk for _ in range(n)])
    return [c.pk for c in outcome.values()]


@pytest.mark.parametrize("size", [2, 20])
def test_a_group_is_locked_and_updated_in_constant_queries(
    cert_type, size, django_assert_max_num_queries
):
    ids = _issued(cert_type, size)
    with django_assert_max_num_queries(4):  # savepoint, lock + read, update, release
        result = certificates_render(certificate_ids=ids)
    assert result.rendered == size and result.failed == {}
    for certificate in Certificate.objects.filter(pk__in=ids):
        assert certificate.pdf and certificate.card_pdf
        assert certificate.pdf_revision == expected_pdf_revision(certificate)


def test_rendering_again_does_nothing_and_unknown_ids_are_skipped(cert_type):
    ids = _issued(cert_type, 2)
    assert certificates_render(certificate_ids=[*ids, 999_999]).rendered == 2
    again = certificates_render(certificate_ids=ids)
    assert (again.rendered, again.failed) == (0, {})


def test_one_failing_certificate_does_not_stop_the_others(cert_type, monkeypatch):
    ids = _issued(cert_type, 3)
    bad = Certificate.objects.get(pk=ids[1]).number
    real = pdf.render_card

    def render_card(content, **kwargs):
        if content.number == bad:
            raise OSError("disk full")
        return real(content, **kwargs)

    monkeypatch.setattr(pdf, "render_card", render_card)
    result = certificates_render(certificate_ids=ids)
    assert result.rendered == 2
    assert result.failed == {ids[1]: "disk full"}
    assert [pk for pk in ids if Certificate.objects.get(pk=pk).pdf_revision] == [
        ids[0],
        ids[2],
    ]
    # What the reconciler re-sends.
    assert list(certificates_needing_pdf().values_list("pk", flat=True)) == [ids[1]]
