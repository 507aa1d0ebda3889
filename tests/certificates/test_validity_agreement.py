"""The two forms of certificate validity agree: ``Certificate.objects.valid(on=…)`` (the
database) and ``Certificate.status_on(…)`` (one row in Python), for random issue, expiry,
revocation and supersession dates, including the boundary days."""

import datetime

from django.db import transaction
from django.utils import timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.models import Certificate, CertificateQuerySet
from tests.certificates.factories import CertificateTypeFactory
from tests.registry.factories import WorkerFactory

BASE = datetime.date(2026, 1, 1)


@st.composite
def span(draw):
    """(issued_on, expires_on) with expires_on >= issued_on, as the table's constraint wants."""
    issued = BASE + datetime.timedelta(days=draw(st.integers(-800, 800)))
    return issued, issued + datetime.timedelta(days=draw(st.integers(0, 1200)))


@st.composite
def case(draw):
    issued_on, expires_on = draw(span())
    revoked_at = draw(
        st.none()
        | st.builds(
            lambda days, minute: timezone.make_aware(
                datetime.datetime.combine(BASE + datetime.timedelta(days=days), datetime.time())
                + datetime.timedelta(minutes=minute)
            ),
            st.integers(-800, 2000),
            st.integers(0, 24 * 60 - 1),
        )
    )
    successor = draw(st.none() | span())
    # The day asked about: anywhere, or on or next to one of the dates that decide.
    anchors = [issued_on, expires_on]
    if revoked_at is not None:
        anchors.append(timezone.localdate(revoked_at))
    if successor is not None:
        anchors.append(successor[0])
    day = draw(
        st.dates(BASE - datetime.timedelta(days=1000), BASE + datetime.timedelta(days=2100))
        | st.builds(
            lambda anchor, shift: anchor + datetime.timedelta(days=shift),
            st.sampled_from(anchors),
            st.integers(-1, 1),
        )
    )
    return issued_on, expires_on, revoked_at, successor, day


@pytest.fixture
def make_certificate(db):
    """Makes certificates of one type and worker, made once for all examples."""
    cert_type = CertificateTypeFactory(exam=None, course=None, seal=False)
    worker = WorkerFactory()

    def make(number, issued, expires, **extra):
        return Certificate.objects.create(
            type=cert_type,
            number=number,
            token=f"token-{number}",
            worker=worker,
            issued_on=issued,
            expires_on=expires,
            **extra,
        )

    return make


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case())
def test_queryset_and_model_method_agree(make_certificate, example):
    issued_on, expires_on, revoked_at, successor, day = example
    with transaction.atomic():  # each example's rows are rolled back at its end
        newer = make_certificate("SH-T-NEW", *successor) if successor else None
        certificate = make_certificate(
            "SH-T-OLD", issued_on, expires_on, revoked_at=revoked_at, superseded_by=newer
        )
        rows = [certificate] + ([newer] if newer else [])
        valid_ids = set(Certificate.objects.valid(on=day).values_list("pk", flat=True))
        current_ids = set(Certificate.objects.current().values_list("pk", flat=True))
        for row in rows:
            status = row.status_on(day)
            assert isinstance(status, Certificate.Status)
            assert (row.pk in valid_ids) == (status == Certificate.Status.VALID), (row, day)
            assert (row.pk in current_ids) == row.is_current
        # Once its revocation and its successor's issue lie on or before `day`, "valid then"
        # is "valid as the rows stand now".
        settled = (revoked_at is None or timezone.localdate(revoked_at) <= day) and (
            successor is None or successor[0] <= day
        )
        if settled:
            held_then = Certificate.objects.filter(
                CertificateQuerySet.held_condition(day), pk=certificate.pk
            ).exists()
            assert held_then == (certificate.pk in valid_ids)
        transaction.set_rollback(True)
