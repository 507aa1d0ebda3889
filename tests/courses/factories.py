"""Factories of the courses app (wagtail-factories for pages, factory_boy for models).

Pages are created under the default site's root page unless given a parent:

    lesson = LessonPageFactory()                    # with its own course and index
    course = CoursePageFactory(parent=index)
    LessonPageFactory.create_batch(3, parent=course)
    mark_course_completed(worker, course)          # what exams' tests need
"""

from django.utils import timezone

from wagtail.models import Site

import factory
import wagtail_factories

from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress
from courses.selectors import lessons_of


def default_site_root():
    return Site.objects.get(is_default_site=True).root_page


def text_body(paragraph: str = "进门前先敲门，说明来意，征得同意后再进门。") -> list[dict]:
    """A lesson body of a heading, a paragraph, key points and a self-check (raw stream data)."""
    return [
        {"type": "heading", "value": {"text": "上门前的准备", "level": "h2"}},
        {"type": "text", "value": {"text": f"<p>{paragraph}</p>"}},
        {
            "type": "key_points",
            "value": {"title": "本课要点", "points": ["敲门并说明来意", "佩戴上门服务证"]},
        },
        {
            "type": "self_check",
            "value": {
                "question": "进门前应该先做什么？",
                "choices": [
                    {"text": "直接进门", "is_correct": False, "feedback": "未经同意不能进门。"},
                    {"text": "敲门并说明来意", "is_correct": True, "feedback": "对。"},
                ],
                "explanation": "尊重客户的居住空间。",
            },
        },
    ]


def video_body(embed_url: str = "https://www.bilibili.com/video/BV1xx411c7mD") -> list[dict]:
    return [
        {"type": "video", "value": {"embed_url": embed_url, "caption": "示范视频"}},
        {"type": "text", "value": {"text": "<p>看完视频后，回答下面的问题。</p>"}},
    ]


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    parent = factory.LazyFunction(default_site_root)
    title = "课程中心"
    slug = factory.Sequence(lambda n: f"courses-{n}")
    intro = "<p>家政服务员在线培训课程。</p>"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    parent = factory.SubFactory(CourseIndexPageFactory)
    title = factory.Sequence(lambda n: f"上门服务证培训 {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "上门服务的基本规范、安全与法律常识。"
    estimated_hours = 12


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    parent = factory.SubFactory(CoursePageFactory)
    title = factory.Sequence(lambda n: f"第 {n} 课 服务规范")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    intro = "上门服务的基本礼仪。"
    is_required = True
    body = factory.LazyFunction(text_body)

    class Params:
        video = factory.Trait(body=factory.LazyFunction(video_body), video_duration=600)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    worker = factory.SubFactory("tests.registry.factories.WorkerFactory")
    course = factory.SubFactory(CoursePageFactory)


class LessonProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonProgress

    enrolment = factory.SubFactory(EnrolmentFactory)
    lesson = factory.SubFactory(LessonPageFactory)


def mark_lesson_completed(enrolment: Enrolment, lesson: LessonPage, *, when=None):
    """A completed progress row for `lesson` (no rules checked: for arranging tests)."""
    when = when or timezone.now()
    progress, _created = LessonProgress.objects.update_or_create(
        enrolment=enrolment,
        lesson=lesson,
        defaults={"completed_at": when, "last_seen_at": when, "time_spent_seconds": 300},
    )
    return progress


def mark_course_completed(worker, course: CoursePage, *, when=None) -> Enrolment:
    """Enrol `worker` (if needed), complete every live lesson and record the course as completed."""
    when = when or timezone.now()
    enrolment, _created = Enrolment.objects.get_or_create(worker=worker, course=course)
    for lesson in LessonPage.objects.live().child_of(course):
        mark_lesson_completed(enrolment, lesson, when=when)
    enrolment.completed_at = when
    enrolment.save(update_fields=["completed_at"])
    return enrolment


def lesson_list(course: CoursePage) -> list[LessonPage]:
    """The course's lessons in order, as a list."""
    return list(lessons_of(course))
