"""A page rendered around its changing part: the rest is rendered once and shared.

The registry's card lookup uses ``lms.fragments.render_around`` so every
answer shares the page around its results. The shared part must never carry
one visitor's query to another, never be used for a signed-in user, and
follow the portal's generation.
"""

import pytest

from lms import fragments
from registry.models import Worker
from tests.caching import clear_cache
from tests.lms.factories import UserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.REGISTRY_LOOKUP_CACHE_SECONDS = 0
    settings.RATELIMIT_ENABLE = False
    clear_cache()
    fragments._copies.clear()
    yield
    fragments._copies.clear()


def _next_field(html: str) -> str:
    return html.split('name="next" value="', 1)[1].split('"', 1)[0]


def test_two_answers_share_the_page_around_their_results(client, trace_page, monkeypatch):
    first, second = ApprovedWorkerFactory(), ApprovedWorkerFactory()
    rendered = []
    render = fragments.get_template

    def counting(name):
        if name == "registry/worker_trace_lookup_page.html":
            rendered.append(name)
        return render(name)

    monkeypatch.setattr(fragments, "get_template", counting)
    one = client.get(trace_page.url, {"card_number": first.card_number}).content.decode()
    two = client.get(trace_page.url, {"card_number": second.card_number}).content.decode()
    assert len(rendered) == 1
    assert first.card_number[-4:] in one and first.card_number[-4:] not in two
    assert second.card_number[-4:] in two
    # The language switch returns each visitor to their own query, escaped.
    assert _next_field(one).endswith(f"card_number={first.card_number}")
    assert _next_field(two).endswith(f"card_number={second.card_number}")
    assert "card_number" not in one.split('name="next"')[0].split("<body")[1]


def test_the_query_put_back_into_the_page_is_escaped(client, trace_page):
    worker = ApprovedWorkerFactory()
    client.get(trace_page.url, {"card_number": worker.card_number})  # the shared part
    html = client.get(
        trace_page.url, {"card_number": worker.card_number, "x": '"><script>alert(1)</script>'}
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in _next_field(html) or "%22%3E%3Cscript" in _next_field(html)


def test_a_signed_in_visitor_gets_the_whole_page_rendered(client, trace_page):
    worker = ApprovedWorkerFactory()
    client.get(trace_page.url, {"card_number": worker.card_number})  # anonymous: shared part kept
    client.force_login(UserFactory())
    html = client.get(trace_page.url, {"card_number": worker.card_number}).content.decode()
    assert "退出" in html  # the header of a signed-in visitor, not the anonymous one
    assert worker.card_number[-4:] in html


def test_a_publish_renders_the_shared_part_again(client, trace_page):
    worker = ApprovedWorkerFactory()
    client.get(trace_page.url, {"card_number": worker.card_number})
    trace_page.title = "服务员查询（新）"
    trace_page.save_revision().publish()
    html = client.get(trace_page.url, {"card_number": worker.card_number}).content.decode()
    assert "服务员查询（新）" in html
    assert Worker.objects.filter(pk=worker.pk).exists()


def test_a_copy_is_kept_per_process_and_bounded():
    copies = fragments._Copies(entries=2)
    for key in ("a", "b", "c"):
        copies.put(key, key.upper())
    assert copies.get("a") is None
    assert (copies.get("b"), copies.get("c")) == ("B", "C")
    small = fragments._Copies(entries=10, max_bytes=10)
    small.put("x", "12345")
    small.put("y", "123456")  # over 10 bytes together: the oldest goes
    small.put("z", "x" * 11)  # larger than the whole bound: not kept
    assert (small.get("x"), small.get("y"), small.get("z")) == (None, "123456", None)
