"""Tracking parameters (utm_*, WeChat's from and isappinstalled) share one entry at the edge."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_tracking_parameters_are_removed_from_the_key_and_from_the_origins_url(
    edge, edge_test_views
):
    first = edge.get(
        "/edge-test/echo/?utm_source=wechat&page=2&from=singlemessage&isappinstalled=0"
    )
    assert first.cache == "MISS"
    assert first.body == "echo #1 /edge-test/echo/?page=2"

    for shared in (
        "/edge-test/echo/?page=2",
        "/edge-test/echo/?page=2&utm_medium=social&utm_campaign=x",
        "/edge-test/echo/?from=timeline&page=2",
        "/edge-test/echo/?isappinstalled=1&page=2&from=groupmessage",
    ):
        answer = edge.get(shared)
        assert (answer.cache, answer.body) == ("HIT", "echo #1 /edge-test/echo/?page=2"), shared
    assert edge_test_views.hits["echo"] == 1


def test_only_tracking_parameters_go(edge, edge_test_views):
    assert edge.get("/edge-test/echo/?utm_source=x").body == "echo #1 /edge-test/echo/"
    assert edge.get("/edge-test/echo/").cache == "HIT"
    # A parameter that merely starts like one is kept, and is its own entry.
    other = edge.get("/edge-test/echo/?from_date=2026-01-01&utm_source=x")
    assert (other.cache, other.body) == ("MISS", "echo #2 /edge-test/echo/?from_date=2026-01-01")


def test_a_shared_link_to_a_portal_page_hits_the_plain_pages_entry(edge):
    from tests.cms import factories

    factories.home_page()
    assert edge.get("/").cache == "MISS"
    shared = edge.get("/?from=singlemessage&isappinstalled=0&utm_source=wechat")
    assert shared.status == 200
    assert shared.cache == "HIT"
