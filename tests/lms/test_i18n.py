"""The home page renders in Chinese by default and in English on request."""

import pytest

from cms.services import home_page_ensure

pytestmark = pytest.mark.django_db


def test_home_page_in_chinese(client):
    home_page_ensure()
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert "跳到正文" in html


def test_home_page_in_english(client):
    home_page_ensure()
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Skip to content" in html
    assert "中文" in html  # the switch back


def test_language_switch_sets_the_language(client):
    home_page_ensure()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").content.decode()
