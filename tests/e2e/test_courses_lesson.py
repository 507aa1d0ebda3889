"""A worker on a 360 px phone opens a lesson, marks it done and sees the progress bar move."""

import pytest

from courses import selectors, services
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory
from tests.e2e.steps import sign_in_worker
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def enrolled_worker():
    course = CoursePageFactory(parent=CourseIndexPageFactory(), title="上门服务证培训")
    LessonPageFactory(parent=course, title="服务规范与职业道德")
    LessonPageFactory(parent=course, title="安全常识与应急处理")
    LessonPageFactory(parent=course, title="家庭保洁")
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user)
    services.enrolment_create(worker=worker, course=course)
    return user, course


def _progress_value(page) -> str:
    return page.locator("progress.course-progress__bar").first.get_attribute("value")


def test_mark_a_lesson_done_and_see_the_progress_bar_move(
    live_server, page, browser, screenshot, enrolled_worker
):
    # One test for the whole flow: the e2e database is flushed after each test
    # (see the report: serialized rollback is lost under Playwright's loop).
    user, course = enrolled_worker
    first, second, third = selectors.lessons_of(course)
    sign_in_worker(page, live_server.url, user.phone)

    # "My learning" offers to continue with the first lesson.
    page.get_by_role("link", name="继续学习").click()
    page.wait_for_url(live_server.url + first.url)
    assert _progress_value(page) == "0"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("courses-lesson-before-360")

    # The self-check answers at once (a <details> element, no reload).
    page.locator("summary", has_text="敲门并说明来意").click()
    assert page.get_by_text("答对了").is_visible()

    page.get_by_role("button", name="我已学完本课").click()
    page.wait_for_url(live_server.url + second.url)
    assert _progress_value(page) == "33"
    assert page.get_by_text("已完成 1/3 节必修课").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("courses-lesson-after-360")

    page.goto(live_server.url + "/me/")
    assert _progress_value(page) == "33"
    assert page.get_by_text("安全常识与应急处理").first.is_visible()

    # Without JavaScript the same lesson flow works: the self-check is plain
    # <details>, and marking done is a form post.
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    no_js = context.new_page()
    sign_in_worker(no_js, live_server.url, user.phone)
    no_js.goto(live_server.url + second.url)
    no_js.locator("summary", has_text="直接进门").click()
    assert no_js.get_by_text("未经同意不能进门。").is_visible()
    no_js.get_by_role("button", name="我已学完本课").click()
    no_js.wait_for_url(live_server.url + third.url)
    assert _progress_value(no_js) == "66"
    context.close()
