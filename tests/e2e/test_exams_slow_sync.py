"""A slow page sync, read by the server before an answer was saved, does not undo that answer on screen."""

import pytest
from playwright.sync_api import expect

from exams.models import Answer, Attempt
from tests.e2e.steps import sign_in_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_sync_answered_before_a_save_keeps_the_save_on_screen(live_server, page, sitter):
    worker, exam = sitter
    base = live_server.url
    sign_in_worker(page, base, worker.user.phone, "/me/exams/")
    page.get_by_role("link", name="查看并开始考试").click()

    # The page's first sync is answered by the server at once (no answer saved
    # yet) but reaches the page only after the worker's first answer is saved:
    # a slow phone network, or a busy server.
    held = []
    page.route(
        "**/attempts/*/questions",
        lambda route: held.append((route, route.fetch())) if not held else route.continue_(),
    )
    page.get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/me/exams/attempts/*/")
    attempt = Attempt.objects.get(worker=worker)
    sync = page.locator("#exam-sync")
    page.wait_for_function("document.querySelector('.exam--enhanced') !== null")
    page.locator("#q-1 .exam-choice").first.click()
    expect(sync).to_contain_text("1 / 5")
    assert Answer.objects.filter(attempt_question__attempt=attempt).count() == 1

    assert len(held) == 1
    route, response = held[0]
    with page.expect_response("**/attempts/*/questions"):
        route.fulfill(response=response)
    page.wait_for_timeout(200)  # let the page apply the stale state
    expect(sync).to_contain_text("1 / 5")
    assert "exam-map__item--answered" in page.locator(
        '.exam-map__item[data-position="1"]'
    ).get_attribute("class")
    assert page.locator("#q-1 .exam-choice input").first.is_checked()
