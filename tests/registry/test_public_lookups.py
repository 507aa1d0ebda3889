"""Public lookups: masked, same shape for a miss and a hit, rate-limited, bounded queries."""

import datetime
import io
import re

from django.db import connection
from django.test import override_settings

import pytest
from PIL import Image

from registry.models import CreditRecord, FilingStatus
from registry.services.credit import credit_record_create
from registry.services.filings import filing_withdraw
from registry.services.workers import worker_set_photo
from tests.registry.factories import (
    AgencyFactory,
    ApprovedWorkerFactory,
    CreditRecordFactory,
    EmploymentFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db

ID_PATTERN = re.compile(r"\d{17}[\dXx]")
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")


def assert_no_pii(html: str, *workers):
    assert not ID_PATTERN.search(html), ID_PATTERN.search(html)
    assert not PHONE_PATTERN.search(html), PHONE_PATTERN.search(html)
    for worker in workers:
        assert worker.name not in html
        assert worker.id_number not in html
        if worker.phone:
            assert worker.phone not in html


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def rich_worker():
    """A registered worker with a photo, two employments and credit records of every kind."""
    agency = AgencyFactory(name="上海安心家政服务有限公司")
    worker = ApprovedWorkerFactory(name="张小明", agency=agency, phone="13912345678")
    worker_set_photo(worker=worker, data=_photo())
    today = datetime.date.today()
    EmploymentFactory(
        worker=worker,
        agency=AgencyFactory(name="上海旧东家政有限公司"),
        start_date=today - datetime.timedelta(days=900),
        end_date=today - datetime.timedelta(days=400),
    )
    EmploymentFactory(worker=worker, agency=agency, start_date=today - datetime.timedelta(days=300))
    for kind in CreditRecord.Kind.values:
        if kind != "blacklist":
            CreditRecordFactory(worker=worker, kind=kind, description=f"{kind} 记录")
    CreditRecordFactory(
        worker=worker, kind="complaint", is_public=False, description="内部记录不公开"
    )
    worker.refresh_from_db()
    return worker


def test_trace_page_without_a_query_shows_only_the_form(client, trace_page):
    response = client.get(trace_page.url)
    assert response.status_code == 200
    assert "lookup__results" not in response.content.decode()


def test_lookup_by_card_number_shows_masked_trace(client, trace_page, rich_worker):
    response = client.get(trace_page.url, {"card_number": rich_worker.card_number})
    html = response.content.decode()
    assert response.status_code == 200
    assert "张*明" in html
    assert "上海安心家政服务有限公司" in html
    assert "上海旧东家政有限公司" in html
    assert "有不良记录" in html
    assert "commendation 记录" in html
    assert "内部记录不公开" not in html
    assert rich_worker.photo_thumbnail.url in html
    assert response["Cache-Control"] == "no-store, private"
    assert_no_pii(html, rich_worker)


def test_lookup_by_name_and_id_tail_finds_the_same_worker(client, trace_page, rich_worker):
    response = client.post(
        trace_page.url, {"name": rich_worker.name, "id_last4": rich_worker.id_last4}
    )
    html = response.content.decode()
    assert "张*明" in html
    # The typed full name is not echoed back into the form.
    assert_no_pii(html, rich_worker)


def _result_section(html: str) -> str:
    start = html.index('class="lookup__results"')
    return html[start : html.index("</section>", start)]


def test_miss_and_hit_take_the_same_shape(client, trace_page, rich_worker):
    hit = client.get(trace_page.url, {"card_number": rich_worker.card_number})
    miss = client.get(trace_page.url, {"card_number": "SHJZ99999999"})
    wrong_tail = client.post(trace_page.url, {"name": rich_worker.name, "id_last4": "0000"})
    assert hit.status_code == miss.status_code == wrong_tail.status_code == 200
    assert hit["Cache-Control"] == miss["Cache-Control"]
    miss_html, tail_html = miss.content.decode(), wrong_tail.content.decode()
    # Both kinds of miss say exactly the same thing: nothing about which part was wrong.
    assert _result_section(miss_html) == _result_section(tail_html)
    assert "查询结果" in hit.content.decode() and "查询结果" in miss_html


@pytest.mark.parametrize(
    "status",
    [
        FilingStatus.SUBMITTED,
        FilingStatus.UNDER_REVIEW,
        FilingStatus.REJECTED,
        FilingStatus.RETURNED,
    ],
)
def test_unregistered_workers_look_like_a_miss(client, trace_page, status):
    worker = WorkerFactory(status=status)
    response = client.post(trace_page.url, {"name": worker.name, "id_last4": worker.id_last4})
    assert "没有找到符合条件的已登记家政服务员" in response.content.decode()


def test_withdrawn_worker_shows_as_withdrawn(client, trace_page):
    worker = ApprovedWorkerFactory()
    filing_withdraw(filing=worker.filings.get(), acting_user=None, reason="本人申请注销")
    html = client.get(trace_page.url, {"card_number": worker.card_number}).content.decode()
    assert "已注销" in html


def test_blacklisted_worker_shows_blacklisted(client, trace_page, monkeypatch):
    monkeypatch.setattr("registry.services.credit.send_task_by_name", lambda *a: None)
    worker = ApprovedWorkerFactory()
    credit_record_create(
        worker=worker,
        kind="blacklist",
        source="市商务委",
        occurred_on=datetime.date.today(),
        description="严重侵害雇主权益",
        acting_user=None,
    )
    html = client.get(trace_page.url, {"card_number": worker.card_number}).content.decode()
    assert "已列入黑名单" in html


def test_invalid_form_is_explained_in_chinese(client, trace_page):
    response = client.post(trace_page.url, {"name": "张三"})
    assert "请输入家政卡号，或同时输入姓名和身份证后四位" in response.content.decode()


def _registry_queries(client, url, params, method="get"):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, params)
    assert response.status_code == 200
    registry = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "registry_' in q["sql"] and "lookuppage" not in q["sql"]
    ]
    return registry, len(ctx)


def test_lookup_query_count_is_fixed(
    client, trace_page, rich_worker, django_assert_max_num_queries, settings
):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    for _ in range(3):
        ApprovedWorkerFactory(name=rich_worker.name, agency=rich_worker.agency)
    # Worker (+agency, filing status), employments (+agencies), credit records, insurance
    # dates, 12-month visits: 5, whatever the number of matches or records; the rest is
    # the page tree, site chrome and the certificates' door verdicts.
    by_card, total = _registry_queries(
        client, trace_page.url, {"card_number": rich_worker.card_number}
    )
    assert len(by_card) == 5
    assert total <= 20
    by_name, _total = _registry_queries(
        client,
        trace_page.url,
        {"name": rich_worker.name, "id_last4": rich_worker.id_last4},
        method="post",
    )
    assert len(by_name) == 5
    with django_assert_max_num_queries(20):
        client.get(trace_page.url, {"card_number": rich_worker.card_number})


def test_lookup_by_card_uses_the_same_queries_for_one_or_many_records(
    client, trace_page, rich_worker, settings
):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    first, _total = _registry_queries(
        client, trace_page.url, {"card_number": rich_worker.card_number}
    )
    for _ in range(5):
        CreditRecordFactory(worker=rich_worker)
        EmploymentFactory(
            worker=rich_worker,
            start_date=datetime.date(2015, 1, 1),
            end_date=datetime.date(2015, 6, 1),
        )
    second, _total = _registry_queries(
        client, trace_page.url, {"card_number": rich_worker.card_number}
    )
    assert len(second) == len(first) == 5


@override_settings(PUBLIC_LOOKUP_RATE="3/m")
def test_lookups_are_rate_limited_per_client_with_a_chinese_429(client, trace_page):
    for _ in range(3):
        assert client.get(trace_page.url, {"card_number": "SHJZ00000001"}).status_code == 200
    response = client.get(trace_page.url, {"card_number": "SHJZ00000001"})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    # Another client is not affected.
    other = client.get(trace_page.url, {"card_number": "SHJZ00000001"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@override_settings(PUBLIC_LOOKUP_RATE="2/m")
def test_agency_lookup_is_rate_limited_too(client, agency_page):
    for _ in range(2):
        client.get(agency_page.url, {"q": "家政"})
    assert client.get(agency_page.url, {"q": "家政"}).status_code == 429


@override_settings(PUBLIC_LOOKUP_RATE="1/m")
def test_the_empty_form_is_not_counted(client, trace_page):
    for _ in range(3):
        assert client.get(trace_page.url).status_code == 200


# --- agency credit ----------------------------------------------------------------


def test_agency_lookup_by_code_shows_public_credit_and_worker_count(client, agency_page):
    agency = AgencyFactory(
        name="上海示范家政有限公司", is_demonstration_station=True, demonstration_year=2016
    )
    for _ in range(2):
        ApprovedWorkerFactory(agency=agency)
    WorkerFactory(agency=agency)  # not yet registered: not counted
    CreditRecordFactory(worker=None, agency=agency, kind="complaint", description="公开的投诉")
    CreditRecordFactory(
        worker=None, agency=agency, kind="violation", is_public=False, description="内部违规"
    )
    html = client.get(agency_page.url, {"q": agency.credit_code.lower()}).content.decode()
    assert "上海示范家政有限公司" in html
    assert "2016" in html
    assert "2 人" in html
    assert "公开的投诉" in html and "内部违规" not in html
    assert "有不良记录" in html
    assert_no_pii(html)


def test_agency_lookup_by_name_and_miss(client, agency_page):
    AgencyFactory(name="上海甲乙家政服务有限公司")
    assert "上海甲乙家政服务有限公司" in client.get(agency_page.url, {"q": "甲乙"}).content.decode()
    html = client.get(agency_page.url, {"q": "不存在的公司"}).content.decode()
    assert "没有找到符合条件的家政企业" in html


def test_agency_lookup_query_count_is_bounded(client, agency_page):
    for i in range(5):
        agency = AgencyFactory(name=f"上海批量家政{i}号有限公司")
        CreditRecordFactory(worker=None, agency=agency)
    queries, total = _registry_queries(client, agency_page.url, {"q": "批量家政"})
    # Agencies with their filed-worker counts, then all their credit records.
    assert len(queries) == 2
    assert total <= 20
    response = client.get(agency_page.url, {"q": "批量家政"})
    assert response.content.decode().count('class="card trace"') == 5


# --- PII scan of every public lookup page -----------------------------------------


def test_no_public_lookup_page_leaks_id_numbers_or_phones(
    client, trace_page, agency_page, rich_worker
):
    others = [ApprovedWorkerFactory(agency=rich_worker.agency) for _ in range(3)]
    urls = [
        ("get", trace_page.url, {}),
        ("get", trace_page.url, {"card_number": rich_worker.card_number}),
        ("post", trace_page.url, {"card_number": rich_worker.card_number}),
        ("post", trace_page.url, {"name": rich_worker.name, "id_last4": rich_worker.id_last4}),
        ("get", trace_page.url, {"card_number": "nothing"}),
        ("post", trace_page.url, {"name": "某某", "id_last4": "12"}),
        ("get", agency_page.url, {}),
        ("post", agency_page.url, {"q": rich_worker.agency.name}),
        ("get", agency_page.url, {"q": rich_worker.agency.credit_code}),
    ] + [("get", trace_page.url, {"card_number": w.card_number}) for w in others]
    for method, url, params in urls:
        response = getattr(client, method)(url, params)
        assert response.status_code == 200
        assert_no_pii(response.content.decode(), rich_worker, *others)


def django_capture_on_commit_callbacks_executing():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
