"""While the origin fails, portal answers are served stale (grace); verify answers never are."""

import time

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_portal_answer_is_served_stale_while_the_origin_fails(edge, edge_test_views):
    assert edge.get("/edge-test/portal/").body.startswith("portal #1")
    time.sleep(1.5)  # past its s-maxage of 1 s
    edge_test_views.failing.add("portal")

    stale = edge.get("/edge-test/portal/")
    assert (stale.status, stale.cache) == (200, "HIT")
    assert stale.body.startswith("portal #1")
    time.sleep(0.5)  # the background refresh failed, and the stale copy stays
    assert edge.get("/edge-test/portal/").body.startswith("portal #1")
    assert edge_test_views.hits["portal"] >= 2


def test_a_verify_answer_is_never_served_stale(edge, edge_test_views):
    assert edge.get("/v/edge-test-grace/").body.startswith("verify #1")
    assert edge.get("/v/edge-test-grace/").cache == "HIT"
    time.sleep(1.5)
    edge_test_views.failing.add("verify")

    answer = edge.get("/v/edge-test-grace/")
    assert answer.status == 500
    assert "verify #1" not in answer.body
