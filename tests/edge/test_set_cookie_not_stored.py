"""A response that sets a cookie is never stored at the edge, whatever its Cache-Control says."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_public_answer_that_sets_a_cookie_goes_to_the_origin_every_time(edge, edge_test_views):
    answers = [edge.get("/edge-test/cookie/") for _ in range(3)]

    assert [a.status for a in answers] == [200, 200, 200]
    assert [a.cache for a in answers] == ["MISS", "MISS", "MISS"]
    assert edge_test_views.hits["cookie"] == 3
    # Each visitor got the origin's own cookie, never another visitor's.
    assert [a.headers["Set-Cookie"].split(";")[0] for a in answers] == [
        "visitor=1",
        "visitor=2",
        "visitor=3",
    ]


def test_the_sign_in_page_which_sets_a_csrf_cookie_is_not_stored(edge):
    first = edge.get("/accounts/login/")
    second = edge.get("/accounts/login/")

    assert first.status == second.status == 200
    assert "csrftoken=" in first.headers.get("Set-Cookie", "")
    assert second.cache == "MISS"
    assert "csrftoken=" in second.headers.get("Set-Cookie", "")
