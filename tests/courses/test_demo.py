"""The courses demo: real content, workers at every stage, and idempotent."""

import pytest

from courses import demo, selectors
from courses.models import CourseIndexPage, Enrolment, LessonPage, LessonProgress
from lms.demo import DemoContext
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    context = DemoContext(password="x")
    demo_worker = WorkerFactory(user=WorkerUserFactory())
    context.data["demo_worker"] = demo_worker
    context.data["workers"] = [WorkerFactory(user=WorkerUserFactory()) for _ in range(10)]
    return context


def _counts():
    from wagtail.models import Page, Revision

    return (
        Page.objects.count(),
        Revision.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.count(),
        LessonProgress.objects.filter(completed_at__isnull=False).count(),
    )


def test_demo_builds_the_certificate_course_with_six_real_lessons(ctx):
    demo.seed(ctx)
    course = ctx.data["course"]
    lessons = list(selectors.lessons_of(course))
    assert [lesson.title for lesson in lessons] == [
        "服务规范与职业道德",
        "安全常识与应急处理",
        "家庭保洁",
        "母婴照护基础",
        "老人照护基础",
        "法律法规与权益保护",
    ]
    for lesson in lessons:
        kinds = [block.block_type for block in lesson.body]
        assert kinds.count("self_check") == 1 and "key_points" in kinds
        assert kinds.count("text") >= 3, lesson.title
    specialised = ctx.data["specialised_course"]
    assert list(specialised.prerequisites.all()) == [course]
    assert selectors.lessons_of(specialised).count() < len(lessons)


def test_demo_puts_the_course_index_under_the_default_sites_root(ctx):
    from wagtail.models import Site

    demo.seed(ctx)
    index = CourseIndexPage.objects.get()
    assert index.get_parent().pk == Site.objects.get(is_default_site=True).root_page_id


def test_demo_workers_are_at_different_progress_levels(ctx):
    demo.seed(ctx)
    course = ctx.data["course"]
    percents = {
        selectors.course_progress(worker=w, course=course).percent for w in ctx.data["workers"]
    }
    assert {0, 100} <= percents and len(percents) >= 3
    demo_progress = selectors.course_progress(worker=ctx.data["demo_worker"], course=course)
    assert demo_progress.percent == 50
    assert ctx.data["course_completed_workers"]


def test_demo_is_idempotent(ctx):
    demo.seed(ctx)
    first = _counts()
    demo.seed(ctx)
    assert _counts() == first
    assert LessonPage.objects.filter(live=True).count() == 9
