"""Confirm entry, one rating per visit through its one-time link, moderation, escalation."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

import pytest
import time_machine

from certificates import door
from certificates.selectors.statistics import visits_after_certificate_lapse
from lms.audit import audit_entries
from registry.models import CreditRecord, ServiceVisit, VisitRating
from registry.selectors.insurance import insurance_expiry_for_workers
from registry.selectors.visits import (
    latest_ratings,
    service_visits_of_worker,
    visit_counts,
    worker_visit_summary,
)
from registry.services.insurance import insurance_add
from registry.services.visits import (
    RatingRefused,
    rating_escalate_to_credit_record,
    rating_link_days,
    rating_moderate,
    rating_submit,
)
from tests.registry.factories import ApprovedWorkerFactory, RegulatorFactory

from . import factories

pytestmark = pytest.mark.django_db


def confirm(client, certificate, **data):
    payload = {
        "service_date": timezone.localdate().isoformat(),
        "district": "xuhui",
        "contact": "",
    } | data
    return client.post(f"/v/{certificate.token}/confirm/", payload)


def test_confirm_entry_records_a_visit_and_hands_out_a_one_time_link(client, green_certificate):
    response = confirm(client, green_certificate, contact="13812345678")
    assert response.status_code == 302
    assert re.match(r"^/v/rate/[A-Za-z0-9_-]{20,}/\?new=1$", response["Location"])
    visit = ServiceVisit.objects.get()
    assert visit.worker == green_certificate.worker
    assert visit.contact_masked == "138****5678"
    assert "13812345678" not in visit.contact_encrypted
    # The link's token is kept only as a keyed hash.
    raw = response["Location"].split("/")[3]
    assert raw not in visit.rating_token_hash
    page = client.get(response["Location"]).content.decode()
    assert "已确认上门" in page and "13812345678" not in page
    assert audit_entries(visit).filter(action="registry.visit_confirm").exists()


def test_confirm_entry_needs_a_csrf_token(green_certificate):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert confirm(strict, green_certificate).status_code == 403
    assert not ServiceVisit.objects.exists()


def test_confirm_entry_refuses_future_dates_and_bad_contacts(client, green_certificate):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = confirm(client, green_certificate, service_date=tomorrow, contact="abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "服务日期不能晚于今天" in html
    assert "联系方式请填写手机号" in html
    assert not ServiceVisit.objects.exists()


@override_settings(PUBLIC_LOOKUP_RATE="3/m")
def test_confirm_entry_is_rate_limited(client, green_certificate):
    codes = [confirm(client, green_certificate).status_code for _ in range(5)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]


def test_one_rating_per_visit(client, green_worker):
    _visit, token = factories.visit(green_worker)
    url = f"/v/rate/{token}/"
    assert client.post(url, {"stars": "5", "comment": ""}).status_code == 302
    rating = VisitRating.objects.get()
    assert rating.stars == 5 and rating.status == VisitRating.Status.APPROVED
    # The link is spent: the page says so and a second post changes nothing.
    again = client.post(url, {"stars": "1", "comment": "再评一次"})
    assert "已经评价过了" in again.content.decode()
    assert VisitRating.objects.get().stars == 5
    with pytest.raises(RatingRefused):
        rating_submit(token=token, stars=2)


def test_ratings_go_only_through_a_known_link(client):
    response = client.post("/v/rate/not-a-real-token-at-all-123/", {"stars": "1"})
    assert response.status_code == 404
    assert not VisitRating.objects.exists()


def test_the_rating_link_expires(green_worker):
    _visit, token = factories.visit(green_worker)
    later = timezone.now() + datetime.timedelta(days=rating_link_days() + 1)
    with time_machine.travel(later), pytest.raises(RatingRefused) as refused:
        rating_submit(token=token, stars=4)
    assert refused.value.code == "expired"


def test_stars_must_be_one_to_five(green_worker):
    _visit, token = factories.visit(green_worker)
    for stars in (0, 6, "x"):
        with pytest.raises(ValidationError):
            rating_submit(token=token, stars=stars)
    assert not VisitRating.objects.exists()


def test_comments_wait_for_moderation_before_they_show(
    client, green_worker, regulator, trace_page, django_capture_on_commit_callbacks
):
    rating = factories.rating(green_worker, stars=4, comment="做饭好吃，准时。")
    assert rating.status == VisitRating.Status.PENDING
    url = f"{trace_page.url}?card_number={green_worker.card_number}"
    assert "做饭好吃" not in client.get(url).content.decode()
    # Moderation makes the cached lookup of this card stale after commit.
    with django_capture_on_commit_callbacks(execute=True):
        rating_moderate(rating=rating, approve=True, acting_user=regulator)
    html = client.get(url).content.decode()
    assert "做饭好吃，准时。" in html
    assert "近 12 个月雇主确认上门 1 次，平均评分 4.0 星" in html


def test_a_rejected_rating_is_hidden_and_not_counted(green_worker, regulator):
    kept = factories.rating(green_worker, stars=5, comment="")
    rating_moderate(rating=kept, approve=True, acting_user=regulator)
    rejected = factories.rating(green_worker, stars=1, comment="广告内容")
    with pytest.raises(ValidationError):
        rating_moderate(rating=rejected, approve=False, acting_user=regulator)
    rating_moderate(rating=rejected, approve=False, acting_user=regulator, note="与服务无关")
    summary = worker_visit_summary(green_worker)
    assert (summary.visits, summary.rated, summary.average_rating) == (2, 1, 5.0)
    assert kept.status == VisitRating.Status.APPROVED
    assert audit_entries(rejected).filter(action="registry.rating_moderate").exists()


def test_only_regulators_of_the_district_moderate(green_worker, agency_staff_user):
    rating = factories.rating(green_worker, stars=2, comment="迟到一小时，打扫不干净。")
    with pytest.raises(PermissionDenied):
        rating_moderate(rating=rating, approve=True, acting_user=agency_staff_user)
    elsewhere = RegulatorFactory(district="chongming").user
    assert green_worker.agency.district != "chongming"
    with pytest.raises(PermissionDenied):
        rating_moderate(rating=rating, approve=True, acting_user=elsewhere)
    here = RegulatorFactory(district=green_worker.agency.district).user
    rating_moderate(rating=rating, approve=True, acting_user=here)


def test_a_complaint_is_escalated_into_a_credit_record(green_worker, regulator):
    factories.certificate(green_worker)
    assert door.door_status(green_worker).colour == "green"
    rating = factories.rating(green_worker, stars=1, comment="服务中摔坏物品，拒不赔偿。")
    record = rating_escalate_to_credit_record(rating=rating, acting_user=regulator)
    assert record.kind == CreditRecord.Kind.COMPLAINT
    assert record.worker == green_worker
    assert record.description == "服务中摔坏物品，拒不赔偿。"
    assert record.source.startswith("上门服务评价")
    rating.refresh_from_db()
    assert rating.credit_record == record and rating.status == VisitRating.Status.APPROVED
    # The complaint now counts against the worker's door colour.
    status = door.door_status(green_worker)
    assert status.colour == "yellow" and "有不良信用记录" in status.reasons
    with pytest.raises(ValidationError):
        rating_escalate_to_credit_record(rating=rating, acting_user=regulator)
    assert CreditRecord.objects.filter(worker=green_worker).count() == 1
    assert audit_entries(rating).filter(action="registry.rating_escalate").exists()


def test_escalation_needs_a_regulator(green_worker, agency_staff_user):
    rating = factories.rating(green_worker, stars=2, comment="迟到一小时，打扫不干净。")
    with pytest.raises(PermissionDenied):
        rating_escalate_to_credit_record(rating=rating, acting_user=agency_staff_user)
    assert not CreditRecord.objects.exists()


def test_insurance_is_stored_encrypted_and_shown_masked(green_worker):
    insurance = factories.insurance(green_worker, number="PA 3101 2026 8888")
    assert "PA310120268888" not in insurance.policy_number_encrypted
    assert insurance.masked_policy_number == "**********8888"
    with pytest.raises(ValidationError) as duplicate:
        factories.insurance(green_worker, number="pa310120268888")
    assert "已经录入过" in str(duplicate.value)
    with pytest.raises(ValidationError):
        insurance_add(
            worker=green_worker,
            insurer="",
            policy_number="123",
            start_date=timezone.localdate(),
            end_date=timezone.localdate() - datetime.timedelta(days=1),
        )


def test_the_dashboards_contract(green_worker, regulator):
    other = ApprovedWorkerFactory()
    visit, token = factories.visit(green_worker, contact="13912340000")
    rating = rating_submit(token=token, stars=4, comment="")
    rating_moderate(rating=rating, approve=True, acting_user=regulator)
    factories.visit(other)
    from registry.models import Worker

    workers = Worker.objects.all()
    counts = visit_counts(workers)
    assert counts == {"visits": 2, "average_rating": 4.0}
    assert visit_counts(workers, since=timezone.localdate() + datetime.timedelta(days=1)) == {
        "visits": 0,
        "average_rating": None,
    }
    items = service_visits_of_worker(green_worker)
    assert [(i.rating, i.household_label) for i in items] == [(4, "139****0000")]
    latest = latest_ratings(workers, 5)
    assert [i.visit_id for i in latest] == [visit.pk]
    assert str(latest[0].worker) == green_worker.masked_name
    expiry = insurance_expiry_for_workers(workers)
    assert expiry[green_worker.pk] > timezone.localdate()
    assert expiry[other.pk] is None


def test_visits_after_a_certificate_lapsed_are_found(green_worker):
    certificate = factories.certificate(green_worker, expires_in=-3)
    lapsed_visit, _token = factories.visit(green_worker)
    ServiceVisit.objects.filter(pk=lapsed_visit.pk).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=2)
    )
    never_certified = ApprovedWorkerFactory()
    factories.visit(never_certified)
    rows = visits_after_certificate_lapse()
    assert [(r.worker_id, r.certificate_id, r.visit_id) for r in rows] == [
        (green_worker.pk, certificate.pk, lapsed_visit.pk)
    ]
    # Renewed today: later visits are fine, the earlier one stays found.
    factories.certificate(green_worker, expires_in=300, issued_on=timezone.localdate())
    factories.visit(green_worker)
    assert len(visits_after_certificate_lapse()) == 1
