"""The status pages: door status large and in words, bounded queries, no personal data."""

import re

from django.test import Client

import pytest

from certificates import live_code
from registry.models import CreditRecord
from tests.caching import clear_cache
from tests.care import without_care_scripts
from tests.registry.factories import CreditRecordFactory

from . import factories
from .conftest import ID_PATTERN, PHONE_PATTERN

pytestmark = pytest.mark.django_db


def assert_no_pii(html: str, worker):
    assert not re.search(ID_PATTERN, html), re.search(ID_PATTERN, html)
    assert not re.search(PHONE_PATTERN, html), re.search(PHONE_PATTERN, html)
    assert worker.name not in html
    assert worker.id_number not in html


def test_the_verify_page_shows_the_door_status_in_colour_icon_and_words(client, green_certificate):
    html = client.get(f"/v/{green_certificate.token}/").content.decode()
    assert 'class="door door--green"' in html
    assert "绿码 · 证照齐全" in html
    assert "✔" in html  # the icon, besides the colour
    assert "体检有效至" in html and "保险有效至" in html
    assert "确认服务员已上门" in html
    assert "<script" not in without_care_scripts(html) and "style=" not in html


def test_a_red_worker_shows_red_with_the_reason(client, green_certificate):
    CreditRecordFactory(worker=green_certificate.worker, kind=CreditRecord.Kind.BLACKLIST)
    html = client.get(f"/v/{green_certificate.token}/").content.decode()
    assert "door--red" in html and "红码" in html and "已列入黑名单" in html and "✖" in html


def test_the_verify_page_costs_a_bounded_number_of_queries(
    green_certificate, django_assert_max_num_queries
):
    from certificates.selectors.lookup import verification_for_token
    from registry.services.visits import rating_submit

    def add_history():
        factories.insurance(green_certificate.worker)
        _visit, token = factories.visit(green_certificate.worker)
        rating_submit(token=token, stars=5)
        CreditRecordFactory(worker=green_certificate.worker, kind=CreditRecord.Kind.COMMENDATION)

    add_history()
    # The answer with its door status: certificate, filing, insurance, credit, visits.
    with django_assert_max_num_queries(5):
        verification_for_token(green_certificate.token)
    # The whole page (the shared header and footer read site settings too).
    with django_assert_max_num_queries(12):
        assert Client().get(f"/v/{green_certificate.token}/").status_code == 200
    # More history costs nothing more.
    for _ in range(5):
        add_history()
    clear_cache()
    with django_assert_max_num_queries(5):
        verification_for_token(green_certificate.token)
    with django_assert_max_num_queries(12):
        assert Client().get(f"/v/{green_certificate.token}/").status_code == 200


def test_the_api_answers_the_door_status(client, green_certificate):
    data = client.get(f"/api/v1/verify/{green_certificate.token}").json()
    assert data["door_colour"] == "green"
    assert data["door_reasons"] == []
    assert data["visits_12_months"] == 0


def test_no_personal_data_on_any_status_page(client, green_certificate, trace_page):
    worker = green_certificate.worker
    _visit, token = factories.visit(worker, contact="13698765432")
    pages = [
        f"/v/{green_certificate.token}/",
        "/" + live_code.live_url(live_code.live_token_make(green_certificate.pk)).split("/", 3)[3],
        f"/v/{green_certificate.token}/confirm/",
        f"/v/rate/{token}/?new=1",
        f"{trace_page.url}?card_number={worker.card_number}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_no_pii(html, worker)
        assert "13698765432" not in html


def test_the_worker_trace_shows_the_door_status_and_visit_summary(
    client, green_certificate, trace_page, regulator
):
    worker = green_certificate.worker
    _visit, token = factories.visit(worker)
    from registry.services.visits import rating_moderate, rating_submit

    rating = rating_submit(token=token, stars=4)
    rating_moderate(rating=rating, approve=True, acting_user=regulator)
    html = client.get(f"{trace_page.url}?card_number={worker.card_number}").content.decode()
    assert "door--green" in html and "绿码" in html
    assert "近 12 个月雇主确认上门 1 次，平均评分 4.0 星" in html


def test_the_worker_trace_lookup_stays_bounded(client, green_certificate, trace_page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.services.visits import rating_submit

    worker = green_certificate.worker
    url = f"{trace_page.url}?card_number={worker.card_number}"

    def count():
        clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    def add_history():
        factories.insurance(worker)
        _visit, token = factories.visit(worker)
        rating_submit(token=token, stars=3, comment="还可以")

    count()  # the first request creates the site settings row
    add_history()
    before = count()
    for _ in range(4):
        add_history()
    # Door status and visit summary come with the lookup's rows; approved comments
    # cost one query: none of it grows with the history.
    assert count() == before
    assert before <= 24
