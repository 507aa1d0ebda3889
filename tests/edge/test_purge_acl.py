"""PURGE is accepted only from the VCL's purgers ACL, and never through a front proxy."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_purge_from_an_address_outside_the_acl_is_refused(edge, edge_test_views):
    edge.get("/edge-test/echo/")
    assert edge.get("/edge-test/echo/").cache == "HIT"

    # 127.0.0.2 is this machine too, but not in the ACL (127.0.0.1, ::1).
    refused = edge.request("PURGE", "/edge-test/echo/", source="127.0.0.2")
    assert refused.status in (403, 405)
    assert edge.get("/edge-test/echo/").cache == "HIT"
    assert edge_test_views.hits["echo"] == 1


def test_purge_through_a_front_proxy_is_refused_even_from_an_allowed_address(edge, edge_test_views):
    edge.get("/edge-test/echo/")
    # nginx on the Varnish machine connects from 127.0.0.1 and adds X-Forwarded-For.
    refused = edge.request("PURGE", "/edge-test/echo/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert refused.status in (403, 405)
    assert edge.get("/edge-test/echo/").cache == "HIT"


def test_purge_from_the_app_host_removes_the_entry(edge, edge_test_views):
    edge.get("/edge-test/echo/?utm_source=x")
    assert edge.request("PURGE", "/edge-test/echo/").status == 200
    again = edge.get("/edge-test/echo/")
    assert (again.cache, again.body) == ("MISS", "echo #2 /edge-test/echo/")
