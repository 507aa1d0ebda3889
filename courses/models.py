"""Courses (课程) and lessons (课时) as Wagtail pages; enrolment and progress as models."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index


class CourseIndexPage(Page):
    """Lists the published courses (课程中心)."""

    intro = RichTextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("课程列表页")


class CoursePage(Page):
    """A certificate course (上门服务证培训, 母婴护理, …)."""

    summary = models.TextField(_("课程简介"), blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_category = models.ForeignKey(
        "registry.ServiceCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务类别"),
    )
    estimated_hours = models.DecimalField(_("预计学时"), max_digits=5, decimal_places=1, default=0)
    prerequisites = ParentalManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("先修课程")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("service_category"),
        FieldPanel("estimated_hours"),
        FieldPanel("prerequisites"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("课程")


class LessonPage(Page):
    """One lesson of a course; its body is a StreamField of the blocks in courses/blocks.py."""

    body = StreamField([], blank=True, verbose_name=_("正文"))
    is_required = models.BooleanField(_("必修"), default=True)
    video_duration = models.PositiveIntegerField(
        _("视频时长（秒）"),
        null=True,
        blank=True,
        help_text=_("有视频的课时填写，用于核对观看进度。"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("is_required"),
        FieldPanel("video_duration"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("课时")


class Enrolment(models.Model):
    """A worker enrolled in a course. One per worker and course."""

    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(fields=["worker", "course"], name="enrolment_unique")
        ]

    def __str__(self):
        return f"{self.worker} · {self.course}"


class LessonProgress(models.Model):
    """A worker's progress through one lesson."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    video_seconds_watched = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson}"
