"""seed_demo builds the demo and, run twice, leaves the same rows."""

import io

from django.apps import apps
from django.core.management import call_command

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _row_counts() -> dict[str, int]:
    skip = {
        "sessions.session",
        "axes.accessattempt",
        "axes.accesslog",
        "wagtailcore.modellogentry",
        "wagtailcore.pagelogentry",
        "wagtailsearch.indexentry",
        "wagtailcore.referenceindex",
        "django_tasks_database.dbtaskresult",
        "wagtailcore.revision",
        "modelsearch.indexentry",
        "axes.accessfailurelog",
        "wagtailcore.taskstate",
        "wagtailcore.workflowstate",
    }
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.proxy or not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


def test_seed_demo_is_idempotent_and_prints_logins_that_sign_in(client):
    # One test, so the demo (the slowest fixture of the suite) is seeded twice, not three times.
    out = io.StringIO()
    call_command(
        "seed_demo", password="pw-for-tests-1", i_know_this_is_not_production=True, stdout=out
    )
    first = _row_counts()
    out2 = io.StringIO()
    call_command(
        "seed_demo", password="pw-for-tests-1", i_know_this_is_not_production=True, stdout=out2
    )
    assert _row_counts() == first
    text = out2.getvalue()
    for login in ("admin", "editor", "reviewer", "city", "district", "agency", "13800000001"):
        assert login in text
    assert "pw-for-tests-1" in text

    response = client.post(
        "/accounts/login/", {"username": "13800000001", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 302
