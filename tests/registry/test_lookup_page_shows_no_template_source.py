"""The lookup page shows no template source (a multi-line {# #} comment is printed as text)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_worker_lookup_page_prints_no_template_comment(client, trace_page):
    html = client.get(trace_page.url).content.decode()
    assert "{#" not in html and "#}" not in html and "{%" not in html
