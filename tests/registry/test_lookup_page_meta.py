"""A lookup page is described for search engines and sharing; its results are never indexed."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _meta(html, name):
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_empty_lookup_page_is_described_and_indexable(client, trace_page):
    html = client.get(trace_page.url).content.decode()
    assert _meta(html, "description") == "输入家政卡号查询。"  # the editor's intro, as text
    assert _meta(html, "og:title") == "家政服务员信息查询"
    assert _meta(html, "robots") == "index"
    assert "<title>家政服务员信息查询 - " in html


def test_the_search_description_wins_over_the_intro(client, trace_page):
    trace_page.search_description = "查询家政服务员的备案和信用。"
    trace_page.save_revision().publish()
    html = client.get(trace_page.url).content.decode()
    assert _meta(html, "description") == "查询家政服务员的备案和信用。"


def test_a_results_page_is_not_indexed_or_described(client, trace_page):
    html = client.get(trace_page.url, {"card_number": "SHJZ99999999"}).content.decode()
    assert _meta(html, "robots") == "noindex"
    assert _meta(html, "og:title") is None
