"""A supervised sitting in the browser: a station computer at 1280×800 in kiosk mode signs a
worker in from a ticket code, three answers are saved, the proctor (second factor, a second
browser context) watches the live view update without a reload and extends the time, then
the worker submits."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from exams.models import Answer, Attempt
from sittings import services
from sittings.models import Booking
from tests.e2e.conftest import DESKTOP
from tests.exams.factories import ExamFactory
from tests.lms.factories import PASSWORD, give_backup_codes
from tests.registry.factories import ApprovedWorkerFactory
from tests.sittings.factories import BookingFactory, ProctorFactory, SittingFactory, StationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BACKUP_CODE = "86420975"


def saved_count(attempt):
    return Answer.objects.filter(attempt_question__attempt=attempt, saved_at__isnull=False).count()


def test_kiosk_ticket_three_answers_proctor_extends_then_submit(
    live_server, page, browser, screenshot, artifacts
):
    base = live_server.url
    exam = ExamFactory(title="上门服务证考核", shuffle_questions=False, shuffle_choices=False)
    # The live server is reached from 127.0.0.1: the station's network for this test.
    station = StationFactory(allowed_networks="127.0.0.0/8\n::1/128", seats=60)
    proctor = ProctorFactory()
    give_backup_codes(proctor, codes=(BACKUP_CODE,))
    sitting = SittingFactory(exam=exam, station=station, proctor=proctor)
    BookingFactory(sitting=sitting, worker=ApprovedWorkerFactory(name="欧阳小明"), seat=7)
    [(booking, code)] = services.tickets_issue(sitting=sitting, user=proctor)

    # The station's computer, in kiosk mode: no password, the ticket code only.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/kiosk/")
    page.get_by_label("准考证号").fill(services.format_code(code))
    page.get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/me/exams/attempts/*/")
    booking = Booking.objects.select_related("attempt").get(pk=booking.pk)
    attempt = booking.attempt
    sync = page.locator("#exam-sync")
    for position in (1, 2):
        page.locator(f'.exam-map__item[data-position="{position}"]').click()
        page.locator(f"#q-{position} .exam-choice").first.click()
    expect(sync).to_contain_text("2 / 5")
    screenshot("sittings-kiosk-1280")

    # The proctor, in a second browser context, signs in with the second factor.
    proctor_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desk = proctor_context.new_page()
    desk.goto(f"{base}/accounts/login/")
    desk.get_by_label("手机号或用户名").fill(proctor.username)
    desk.locator("input[name='password']").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.get_by_label("验证码").fill(BACKUP_CODE)
    desk.locator("form:has(input[name=token]) button[type=submit]").click()
    desk.wait_for_url("**/admin/**")
    desk.goto(f"{base}/admin/sittings/{sitting.pk}/live/")
    row = desk.locator(f'.sittings-seat[data-booking="{booking.pk}"]')
    expect(row.locator('[data-cell="answered"]')).to_have_text("2 / 5")
    expect(row.locator('[data-cell="state"]')).to_have_text("作答中")
    assert "欧阳小明" not in desk.content()

    # The third answer shows on the proctor's screen without a reload (polling live.json).
    desk.evaluate("window.__sameDocument = true")
    page.locator('.exam-map__item[data-position="3"]').click()
    page.locator("#q-3 .exam-choice").first.click()
    expect(sync).to_contain_text("3 / 5")
    assert saved_count(attempt) == 3
    expect(row.locator('[data-cell="answered"]')).to_have_text("3 / 5", timeout=12000)
    assert desk.evaluate("window.__sameDocument") is True

    # Extend by 10 minutes: the server's deadline moves.
    before = Attempt.objects.get(pk=attempt.pk).deadline
    row.locator("summary").click()
    extend = row.locator("form:has(button[data-action=extend])")
    extend.locator("input[name=minutes]").fill("10")
    extend.locator("input[name=reason]").fill("考试电脑重启")
    extend.locator("button[data-action=extend]").click()
    desk.wait_for_url(f"**/admin/sittings/{sitting.pk}/live/")
    assert Attempt.objects.get(pk=attempt.pk).deadline - before == timedelta(minutes=10)
    desk.screenshot(path=str(artifacts / "sittings-live-1280.png"), full_page=True)
    desk.set_viewport_size({"width": 1024, "height": 768})  # a tablet
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1024 + 1
    desk.screenshot(path=str(artifacts / "sittings-live-tablet.png"), full_page=True)
    proctor_context.close()

    # The worker submits; the result follows as for any attempt.
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确定交卷").click()
    page.wait_for_url(f"**/me/exams/attempts/{attempt.pk}/result/")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and not attempt.auto_submitted
    screenshot("sittings-kiosk-result-1280")
