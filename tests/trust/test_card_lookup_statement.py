"""The card lookup's one prepared statement gives the same answer as the registry's queries.

On PostgreSQL a lookup by card number fetches everything the public trace
shows in one statement (``registry.selectors._workers_by_statement``); by name, or
on another database, it takes the ORM queries with their prefetches. For
workers in every shape the door rules, the credit standing and the visit
summary care about, the rendered answer must be the same either way.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from registry import selectors, services
from registry.models import CreditRecord, FilingStatus, VisitRating, Worker
from tests.registry.factories import CreditRecordFactory, EmploymentFactory, FiledAgencyFactory

from . import factories
from .test_door_status import CASES, build, day, frozen  # noqa: F401  (frozen: autouse fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _card(worker) -> str:
    card = f"SHJZ{worker.pk:08d}"
    Worker.objects.filter(pk=worker.pk).update(card_number=card)
    return card


def _rich(regulator):
    """A worker with a past and current employment, records of every kind (public,
    internal, expired, future), an insurance gap, visits with ratings and comments
    (approved, rejected, without text) and a superseded certificate."""
    worker = build({"certificate": None})
    other = FiledAgencyFactory()
    EmploymentFactory(worker=worker, agency=other, start_date=day(-900), end_date=day(-400))
    EmploymentFactory(worker=worker, start_date=day(-399))
    for kind in CreditRecord.Kind.values:
        CreditRecordFactory(worker=worker, kind=kind, occurred_on=day(-20))
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.COMPLAINT, is_public=False)
    CreditRecordFactory(
        worker=worker, kind=CreditRecord.Kind.VIOLATION, occurred_on=day(-60), expires_on=day(-1)
    )
    CreditRecordFactory(worker=worker, kind=CreditRecord.Kind.COMMENDATION, occurred_on=day(3))
    factories.insurance(worker, starts_in=-400, ends_in=-50)
    factories.insurance(worker, starts_in=20, ends_in=380)
    old = factories.certificate(worker, revoked=True)
    new = factories.certificate(worker, expires_in=20)
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    for stars, comment, approve in (
        (5, "很细心，准时到。", True),
        (2, "迟到一小时", False),
        (4, "", True),
        (3, "做饭好吃", True),
        (5, "带孩子很有耐心", True),
    ):
        _visit, token = factories.visit(worker, service_date=day(-5))
        rating = services.rating_submit(token=token, stars=stars, comment=comment)
        if rating.status == VisitRating.Status.PENDING:
            services.rating_moderate(
                rating=rating,
                approve=approve,
                acting_user=regulator,
                note="" if approve else "辱骂",
            )
    factories.visit(worker, service_date=day(-2))  # not rated
    return worker


def _results(client, page, card: str | dict) -> str:
    # A card number comes as a link; a name and ID tail only in a form's POST.
    if isinstance(card, dict):
        response = client.post(page.url, card)
    else:
        response = client.get(page.url, {"card_number": card})
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('<section class="lookup__results"', 1)[1].split("</main>", 1)[0]


@pytest.fixture
def lookups(client, trace_page, settings, monkeypatch):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    settings.RATELIMIT_ENABLE = False

    def both(card: str | dict) -> tuple[str, str]:
        monkeypatch.setattr(selectors, "_statement_enabled", lambda: True)
        one = _results(client, trace_page, card)
        monkeypatch.setattr(selectors, "_statement_enabled", lambda: False)
        many = _results(client, trace_page, card)
        return one, many

    return both


def test_every_door_case_reads_the_same_through_the_statement(lookups):
    checked = 0
    for _id, change, *_rest in CASES:
        worker = build(change)
        if Worker.objects.filter(
            pk=worker.pk, filings__status__in=[FilingStatus.APPROVED, FilingStatus.WITHDRAWN]
        ).exists():
            one, many = lookups(_card(worker))
            assert one == many, _id
            assert "trace" in one, _id
            checked += 1
    assert checked >= 10


def test_a_worker_with_a_long_history_reads_the_same(lookups, regulator):
    worker = _rich(regulator)
    one, many = lookups(_card(worker))
    assert one == many
    # The answer shows what was built: both employers, public records, comments, the door.
    assert one.count("<li>") >= 2
    assert "很细心，准时到。" in one and "迟到一小时" not in one
    assert "证书即将到期" in one


def test_a_lookup_by_name_and_id_tail_reads_the_same(lookups, regulator):
    worker = _rich(regulator)
    worker.refresh_from_db()
    one, many = lookups({"name": worker.name, "id_last4": worker.id_last4})
    assert one == many
    assert "很细心，准时到。" in one
    one, many = lookups(
        {"name": worker.name, "id_last4": "0000" if worker.id_last4 != "0000" else "1111"}
    )
    assert one == many
    assert "没有找到符合条件的已登记家政服务员" in one


def test_unknown_card_and_unregistered_worker_read_the_same(lookups):
    pending = build({"filing": FilingStatus.SUBMITTED})
    for card in ("SHJZ99999999", _card(pending)):
        one, many = lookups(card)
        assert one == many
        assert "没有找到符合条件的已登记家政服务员" in one


def test_a_lookup_is_one_statement(client, trace_page, settings, regulator):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    worker = _rich(regulator)
    card = _card(worker)
    client.get(trace_page.url, {"card_number": card})  # the page's route and fragments
    for method, params in (
        ("get", {"card_number": card}),
        ("post", {"card_number": card}),
        ("post", {"name": worker.name, "id_last4": worker.id_last4}),
    ):
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(trace_page.url, params)
        assert response.status_code == 200
        assert len(ctx.captured_queries) == 1, [q["sql"][:80] for q in ctx.captured_queries]


def test_the_statement_follows_the_date(lookups, time_machine):
    """The 12-month window of visits is compiled in: a new day compiles it again."""
    worker = build({})
    card = _card(worker)
    factories.visit(worker, service_date=day(-1))
    first, _ = lookups(card)
    time_machine.move_to(datetime.datetime.now() + datetime.timedelta(days=400))
    later, many = lookups(card)
    assert later == many
    assert first != later
