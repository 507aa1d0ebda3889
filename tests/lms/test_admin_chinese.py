"""Issue #21 item 16: the admin reads in Chinese at zh-hans.

Wagtail 8's zh_Hans catalog lacks some of its newer messages ("Search all
pages…", "Exploring", "Insert a block", the slug errors); the project adds
them in locale/wagtail. Tabs read "… - 家政平台管理后台", not "… - Wagtail",
and the progress report names the door colour instead of printing `yellow`.
"""

import re

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from wagtail.models import Page

import pytest

from tests.lms.factories import UserFactory
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, login_staff):
    user = UserFactory(username="editor-zh", is_staff=True, is_superuser=True)
    return login_staff(client, user)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_admin_home_is_chinese(editor_client):
    html = editor_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "搜索全部页面…" in html
    assert "Search all pages" not in html
    assert title(html).endswith("- 家政平台管理后台")
    assert "Wagtail" not in title(html)


def test_the_page_explorer_is_chinese(editor_client):
    root = Page.get_first_root_node()
    response = editor_client.get(reverse("wagtailadmin_explore", args=[root.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Exploring" not in html
    assert "浏览" in title(html)


def test_the_block_editor_strings_are_chinese(editor_client):
    catalog = editor_client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    assert "\\u63d2\\u5165\\u5185\\u5bb9\\u5757" in catalog or "插入内容块" in catalog


def test_a_duplicate_slug_is_refused_in_chinese(db):
    root = Page.get_first_root_node()
    root.add_child(instance=Page(title="甲", slug="same"))
    twin = Page(title="乙", slug="same")
    root.add_child(instance=Page(title="丙", slug="other"))
    twin.path, twin.depth = root.path + "9999", root.depth + 1
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        twin.full_clean()
    message = " ".join(refused.value.messages)
    assert "网址别名" in message and "already in use" not in message


def test_the_progress_report_names_the_door_colour(client, login_staff):
    membership = AgencyStaffFactory()
    ApprovedWorkerFactory(agency=membership.agency)  # no certificate: not green
    login_staff(client, membership.user)
    html = client.get(reverse("dashboards_admin:report")).content.decode()
    tags = re.findall(r'class="dash-tag dash-tag--(red|yellow|green)">([^<]*)<', html)
    assert tags, "no door column"
    for colour, label in tags:
        assert label in {"绿码", "黄码", "红码"}, (colour, label)
