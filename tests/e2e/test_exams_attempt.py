"""A worker sits an exam on a 360 px phone, loses the network mid-way, and nothing is lost."""

import pytest
from playwright.sync_api import expect

from exams.models import Answer, Attempt
from tests.e2e.steps import sign_in_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def saved(attempt, position):
    answer = Answer.objects.filter(
        attempt_question__attempt=attempt, attempt_question__position=position
    ).first()
    return answer.selected if answer else None


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_answers_chosen_offline_are_saved_on_reconnect_and_the_result_follows(
    live_server, page, screenshot, sitter
):
    worker, exam = sitter
    base = live_server.url
    sign_in_worker(page, base, worker.user.phone, "/me/exams/")
    no_overflow(page)

    page.get_by_role("link", name="查看并开始考试").click()
    page.get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/me/exams/attempts/*/")
    attempt = Attempt.objects.get(worker=worker)
    sync = page.locator("#exam-sync")
    assert page.locator(".exam-q:visible").count() == 1  # one question at a time
    no_overflow(page)

    # Online: the choice is saved at once.
    page.locator("#q-1 .exam-choice").first.click()
    expect(sync).to_have_attribute("data-state", "ok")
    expect(sync).to_contain_text("1 / 5")
    assert saved(attempt, 1) == ["A"]

    # Offline: the next choice waits on the phone, and the page says so.
    page.get_by_role("button", name="下一题").click()
    page.context.set_offline(True)
    page.locator("#q-2 .exam-choice").first.click()
    expect(sync).to_have_attribute("data-state", "bad")
    assert "网络已断开" in sync.text_content()
    assert "exam-map__item--pending" in page.locator(
        '.exam-map__item[data-position="2"]'
    ).get_attribute("class")
    assert saved(attempt, 2) is None
    screenshot("exams-attempt-offline-360")

    # Back online: the queued answer is sent and shown as saved.
    page.context.set_offline(False)
    expect(sync).to_have_attribute("data-state", "ok", timeout=15000)
    expect(sync).to_contain_text("2 / 5")
    assert saved(attempt, 2) == ["A"]
    assert (
        page.locator('.exam-map__item[data-position="2"]').get_attribute("class").count("pending")
        == 0
    )

    # Answer the rest through the question map, then submit.
    for position in (3, 4, 5):
        page.locator(f'.exam-map__item[data-position="{position}"]').click()
        page.locator(f"#q-{position} .exam-choice").first.click()
    expect(sync).to_contain_text("5 / 5")
    screenshot("exams-attempt-answered-360")
    page.get_by_role("button", name="交卷").click()
    assert "全部题目都已作答" in page.locator("#exam-confirm-text").text_content()
    page.get_by_role("button", name="确定交卷").click()
    page.wait_for_url(f"**/me/exams/attempts/{attempt.pk}/result/")
    assert page.locator("#exam-result").get_by_text("通过").is_visible()
    assert "100" in page.locator(".exam-result__score").text_content()
    no_overflow(page)
    screenshot("exams-result-360")
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100
