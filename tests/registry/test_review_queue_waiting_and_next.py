"""The review queue opens on the filings still to decide (待审核), and a review page offers
the next one waiting (下一份), going round the whole queue."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from registry.models import Filing
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("registry_filing:index")


@pytest.fixture
def reviewer_client(client, login_staff, reviewer):
    return login_staff(client, reviewer)


@pytest.fixture
def filings():
    """One worker filing per status, submitted a minute apart in this order."""
    statuses = ["submitted", "approved", "under_review", "rejected", "submitted"]
    start = timezone.now() - datetime.timedelta(hours=1)
    result = []
    for minute, status in enumerate(statuses):
        worker = WorkerFactory(status=status)
        filing = Filing.objects.get(worker=worker, is_current=True)
        Filing.objects.filter(pk=filing.pk).update(
            submitted_at=start + datetime.timedelta(minutes=minute)
        )
        result.append(filing)
    return result


def _listed(response, filings) -> set[int]:
    """Indexes of `filings` whose review page the listing links to."""
    html = response.content.decode()
    return {
        index
        for index, filing in enumerate(filings)
        if reverse("registry_admin:filing_review", args=[filing.pk]) in html
    }


def test_the_queue_opens_on_the_filings_still_to_decide(reviewer_client, filings):
    assert _listed(reviewer_client.get(QUEUE), filings) == {0, 2, 4}
    assert _listed(reviewer_client.get(QUEUE + "?status=any"), filings) == {0, 1, 2, 3, 4}
    assert _listed(reviewer_client.get(QUEUE + "?status=approved"), filings) == {1}


def test_next_goes_on_through_the_waiting_filings_and_round(reviewer_client, filings):
    waiting = [filings[0], filings[2], filings[4]]
    for current, following in zip(waiting, [*waiting[1:], waiting[0]], strict=True):
        page = reviewer_client.get(reverse("registry_admin:filing_review", args=[current.pk]))
        link = reverse("registry_admin:filing_review", args=[following.pk])
        html = page.content.decode()
        assert f'href="{link}">下一份<' in html, (current, following)
