"""Every autosave goes through Django's session check, as every other signed-in request does.

A logout, an expired session, a password change or a deactivated account
stops the next save (401) and writes nothing, even right after a save that
was accepted.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

import pytest
import time_machine

from exams.models import Answer

API = "/api/v1/exam"


def put(client, url, body, **extra):
    return client.put(url, json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def sitting(login_worker, exam, worker):
    """A signed-in worker's client, the save URL of their attempt, after one accepted save."""
    client = login_worker(Client(), worker.user)
    attempt = client.post(f"{API}/exams/{exam.pk}/attempts").json()["id"]
    url = f"{API}/attempts/{attempt}/answers/1"
    assert put(client, url, {"selected": ["A"], "seq": 1}).status_code == 200
    return client, url, attempt


def stored(attempt):
    answer = Answer.objects.get(attempt_question__attempt_id=attempt, attempt_question__position=1)
    return answer.selected, answer.seq


def test_a_save_is_a_bounded_number_of_queries(sitting, django_assert_max_num_queries):
    client, url, attempt = sitting
    # The session and the user (Django's check), then the lock, the question with its
    # answer and the write, in one transaction.
    with django_assert_max_num_queries(7):
        response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 200
    assert response.json()["outcome"] == "saved"
    assert "Cookie" in response.headers["Vary"]
    assert stored(attempt) == (["B"], 2)


def test_after_logout_the_old_session_is_refused(sitting):
    client, url, attempt = sitting
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key  # a stolen or stale cookie
    response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 401
    assert stored(attempt) == (["A"], 1)


def test_after_a_password_change_the_session_is_refused(sitting, worker):
    client, url, attempt = sitting
    worker.user.set_password("a-new-password-1234")
    worker.user.save()
    response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 401
    assert stored(attempt) == (["A"], 1)


def test_a_deactivated_account_is_refused(sitting, worker):
    client, url, attempt = sitting
    worker.user.is_active = False
    worker.user.save()
    response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 401
    assert stored(attempt) == (["A"], 1)


def test_an_expired_session_is_refused(sitting):
    client, url, attempt = sitting
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Expired in the database and gone from the cache, as an expired session is.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    caches[settings.SESSION_CACHE_ALIAS].delete(cached_db.KEY_PREFIX + key)
    response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 401
    assert stored(attempt) == (["A"], 1)


def test_a_save_needs_the_csrf_token(exam, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker.user)
    client.get("/me/exams/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    attempt = client.post(f"{API}/exams/{exam.pk}/attempts", HTTP_X_CSRFTOKEN=token).json()["id"]
    url = f"{API}/attempts/{attempt}/answers/1"
    assert (
        put(client, url, {"selected": ["A"], "seq": 1}, HTTP_X_CSRFTOKEN=token).status_code == 200
    )
    assert put(client, url, {"selected": ["B"], "seq": 2}).status_code == 403
    assert stored(attempt) == (["A"], 1)


def test_a_save_gets_404_for_another_workers_attempt(sitting, exam, other_worker, login_worker):
    client, url, attempt = sitting
    theirs = login_worker(Client(), other_worker.user)
    their_attempt = theirs.post(f"{API}/exams/{exam.pk}/attempts").json()["id"]
    response = put(
        client, f"{API}/attempts/{their_attempt}/answers/1", {"selected": ["A"], "seq": 9}
    )
    assert response.status_code == 404
    assert not Answer.objects.filter(attempt_question__attempt_id=their_attempt).exists()


def test_retries_and_late_saves_keep_their_outcome(sitting):
    client, url, attempt = sitting
    assert put(client, url, {"selected": ["C"], "seq": 5}).json()["outcome"] == "saved"
    late = put(client, url, {"selected": ["B"], "seq": 4}).json()
    retry = put(client, url, {"selected": ["C"], "seq": 5}).json()
    assert (late["outcome"], late["applied"], late["selected"]) == ("stale", False, ["C"])
    assert (retry["outcome"], retry["applied"]) == ("duplicate", True)


def test_after_the_deadline_a_save_gets_time_up(sitting):
    client, url, attempt = sitting
    later = timezone.now() + timedelta(days=1)
    with time_machine.travel(later):
        response = put(client, url, {"selected": ["B"], "seq": 2})
    assert response.status_code == 409
    assert response.json()["code"] == "time_up"
    assert stored(attempt) == (["A"], 1)
