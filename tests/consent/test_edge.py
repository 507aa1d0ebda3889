"""Through a real Varnish (deploy/varnish/default.vcl): a verify page the edge answers from its
cache is still logged (the no-store beacon reaches the app), and the consent cookies reach the
app instead of being stripped with the other cookies."""

import pytest

from consent.models import WorkerView
from tests.consent.conftest import granted
from tests.edge.conftest import edge, varnish_server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.edge,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_scan_answered_by_the_edge_is_logged_by_its_beacon(edge, certificate):  # noqa: F811
    page = f"/v/{certificate.token}/"
    beacon = f"/consent/seen/{certificate.token}.gif"
    assert edge.get(page).cache == "MISS"
    second = edge.get(page)
    assert second.cache == "HIT" and beacon in second.body
    answers = [edge.get(beacon), edge.get(beacon)]
    assert [a.cache for a in answers] == ["MISS", "MISS"]
    assert all("no-store" in a.headers["Cache-Control"] for a in answers)
    assert WorkerView.objects.filter(kind=WorkerView.Kind.CERTIFICATE_SCAN).count() == 1


def test_the_grant_cookie_reaches_the_app_through_the_edge(
    edge,  # noqa: F811
    household,
    worker_client,
    certificate,
):
    granted(household, worker_client, certificate)
    token = household.cookies["consent_grant"].value
    answer = edge.get("/consent/record/", headers={"Cookie": f"consent_grant={token}; _ga=1"})
    assert answer.status == 200 and answer.cache == "MISS"
    assert "王丽华" in answer.body
    assert "no-store" in answer.headers["Cache-Control"]
