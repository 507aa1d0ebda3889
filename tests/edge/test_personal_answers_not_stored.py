"""A signed-in visitor's pages and a lookup's answer never enter the edge, nor come out of it."""

import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.test import Client

import pytest

from registry.models import WorkerTraceLookupPage
from tests.cms import factories
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FORM = re.compile(r'<form[^>]*method="post"[^>]*>')
ACTION = re.compile(r'action="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_a_signed_in_workers_pages_are_never_stored(edge):
    factories.home_page()
    worker = ApprovedWorkerFactory(user=WorkerUserFactory(), name="欧阳美玲")
    signed_in = {"Cookie": f"{_session_cookie(worker.user)}; _ga=GA1.2.3"}

    edge.get("/")
    assert edge.get("/").cache == "HIT"
    for path in ("/me/record/", "/"):
        first = edge.get(path, headers=signed_in)
        second = edge.get(path, headers=signed_in)
        assert (first.status, second.status) == (200, 200), path
        assert (first.cache, second.cache) == ("MISS", "MISS"), path
        assert "no-store" in second.headers["Cache-Control"], path
    assert "欧阳美玲" in edge.get("/me/record/", headers=signed_in).body

    for path in ("/me/record/", "/"):
        anonymous = edge.get(path)
        assert "欧阳美玲" not in anonymous.body, path
    assert edge.get("/me/record/").status == 302  # to the sign-in page


def test_a_lookup_answer_is_never_stored(edge):
    home = factories.home_page()
    lookup = WorkerTraceLookupPage(title="家政服务员信息查询", slug="trace")
    home.add_child(instance=lookup)
    lookup.save_revision().publish()
    worker = ApprovedWorkerFactory(name="陈美华")

    edge.get(lookup.url)  # another household opened the empty form first
    form = edge.get(lookup.url)
    assert (form.status, form.cache) == (200, "HIT")  # the empty form is everyone's
    # Post the form as a browser would: its action, its hidden fields, any cookie it set.
    action = ACTION.search(FORM.search(form.body).group(0))
    action = action.group(1) if action else lookup.url
    fields = dict(HIDDEN.findall(form.body))
    cookies = SimpleCookie()
    for header in form.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    posted = urlencode({**fields, "name": worker.name, "id_last4": worker.id_last4})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": edge.url,
        "Referer": edge.url + lookup.url,
    }
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v.value}" for k, v in cookies.items())

    for _ in range(2):
        answer = edge.request("POST", action, body=posted.encode(), headers=headers)
        assert answer.status == 200, answer.body[:500]
        assert answer.cache == "MISS"
        assert "陈*华" in answer.body
        assert "no-store" in answer.headers["Cache-Control"]

    for path in (lookup.url, action):
        anonymous = edge.get(path)
        assert "陈*华" not in anonymous.body, path
