"""The Wagtail admin and the API docs carry a Content-Security-Policy of their own."""

import pytest

from lms.care import BOOT_SCRIPT_HASH
from tests.lms.factories import UserFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_admin_pages_have_the_admin_policy(client, login_staff):
    login_staff(client, UserFactory(is_staff=True, is_superuser=True))
    directives = policy(client.get("/admin/"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"


def test_the_admin_sign_in_redirect_has_a_policy_too(client):
    assert "default-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_api_docs_have_the_admin_policy(client):
    directives = policy(client.get("/api/v1/docs"))
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["form-action"] == "'self'"


def test_public_pages_keep_the_strict_policy(client):
    directives = policy(client.get("/search/"))
    # Our own files, and the care mode's head script by its hash (lms/care.py).
    assert directives["script-src"] == f"'self' {BOOT_SCRIPT_HASH}"
    assert directives["style-src"] == "'self'"
