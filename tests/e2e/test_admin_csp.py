"""The Wagtail admin and the API docs work under their Content-Security-Policy.

Chromium reports every blocked script, style, image or frame on the console
("Refused to …"); none may appear on the admin home, the page explorer, a
page's edit view, a snippet's edit view or the Swagger page.
"""

from django.conf import settings
from django.test import Client

import pytest

from tests.exams.factories import ExamFactory
from tests.lms.factories import UserFactory
from tests.registry.conftest import _home

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_admin_and_api_docs_run_without_csp_violations(live_server, page, desktop, login_staff):
    editor = UserFactory(username="csp-editor", is_staff=True, is_superuser=True)
    session = login_staff(Client(), editor).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    home = _home()
    exam = ExamFactory()
    refused = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append((page.url, message.location.get("url"), message.text))

    page.on("console", on_console)

    paths = [
        "/admin/",
        f"/admin/pages/{home.pk}/",
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/exams/exams/edit/{exam.pk}/",
        "/api/v1/docs",
    ]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert refused == [], "\n".join(map(str, refused))
