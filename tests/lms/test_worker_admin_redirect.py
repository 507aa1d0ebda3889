"""Issue #21 item 14: a signed-in worker who opens the admin lands on their own page.

Wagtail sends a signed-in user without admin access to the sign-in page, which
sends a signed-in user back to ``next`` (the admin): ERR_TOO_MANY_REDIRECTS.
"""

from django.conf import settings
from django.contrib.messages import get_messages

import pytest

from tests.lms.factories import PASSWORD, WorkerUserFactory
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_user(db):
    return ApprovedWorkerFactory(user=WorkerUserFactory()).user


@pytest.fixture
def worker_client(client, login_worker, worker_user):
    return login_worker(client, worker_user)


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/dashboards/workers/"])
def test_worker_opening_the_admin_lands_on_me_with_a_message(worker_client, path):
    response = worker_client.get(path)
    assert response.status_code == 302
    assert response["Location"] == settings.WORKER_HOME_URL
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["管理后台只对机构和监管人员开放。这里是你自己的页面。"]


def test_following_the_redirects_ends_on_me(worker_client):
    response = worker_client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert [url for url, _status in response.redirect_chain] == [settings.WORKER_HOME_URL]
    assert "管理后台只对机构和监管人员开放" in response.content.decode()


def test_worker_signing_in_with_admin_as_next_ends_on_me(client, worker_user):
    user = worker_user
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == settings.WORKER_HOME_URL


def test_staff_still_reach_the_admin(client, login_staff):
    staff = AgencyStaffFactory().user
    response = login_staff(client, staff).get("/admin/")
    assert response.status_code == 200


def test_anonymous_visitors_still_go_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
