"""Courses (课程) and lessons (课时) as Wagtail pages; enrolment and progress as models.

Pages stay thin: their context and their one write (recording a visit) call
``selectors.py`` and ``services.py``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.search import segment, stream_text

from .blocks import LessonStreamBlock


class CourseIndexPage(Page):
    """Lists the published courses (课程中心)."""

    intro = RichTextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    # The parent is left open: the site's home page (cms) lists this type in
    # its own subpage_types.
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("课程列表页")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        worker = selectors.worker_of_request(request)
        courses = selectors.courses_live(parent=self)
        context["course_cards"] = selectors.course_cards(courses=courses, worker=worker)
        context["worker"] = worker
        return context


class CoursePage(Page):
    """A certificate course (上门服务证培训, 母婴护理, …)."""

    summary = models.TextField(
        _("课程简介"), blank=True, help_text=_("一两句话，显示在课程列表里。")
    )
    description = RichTextField(
        _("课程介绍"),
        blank=True,
        features=["bold", "italic", "ol", "ul", "link"],
        help_text=_("学习目标、适合人群、考核方式等。"),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面图"),
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
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("先修课程"),
        help_text=_("学员须先学完这些课程，才能报名本课程。"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldPanel("service_category"),
                FieldPanel("estimated_hours"),
                FieldPanel("prerequisites"),
            ],
            heading=_("课程设置"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("search_text"),
        index.FilterField("service_category"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def search_text(self) -> str:
        """Title, summary and description as space-separated Chinese words (for the index)."""
        return segment(self.title, self.summary, self.description)

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        worker = selectors.worker_of_request(request)
        context.update(selectors.course_page_context(course=self, worker=worker))
        context["worker"] = worker
        return context


class LessonPage(Page):
    """One lesson of a course; its body is a StreamField of the blocks in courses/blocks.py."""

    intro = models.CharField(
        _("导语"),
        max_length=200,
        blank=True,
        help_text=_("一句话说明本课学什么，显示在课程目录里。"),
    )
    body = StreamField(LessonStreamBlock(), blank=True, verbose_name=_("正文"))
    is_required = models.BooleanField(
        _("必修"), default=True, help_text=_("只有必修课时计入课程进度和考试资格。")
    )
    video_duration = models.PositiveIntegerField(
        _("视频时长（秒）"),
        null=True,
        blank=True,
        help_text=_("有视频的课时填写，用于核对观看进度。"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("is_required"), FieldPanel("video_duration")], heading=_("学习要求")
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("search_text"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")

    def clean(self):
        super().clean()
        if self.video_block is not None and not self.video_duration:
            raise ValidationError(
                {"video_duration": _("本课有视频，请填写视频时长，用于核对学员是否看完。")}
            )

    def search_text(self) -> str:
        """Title, intro and every block's text as space-separated Chinese words."""
        return segment(self.title, self.intro, *stream_text(self.body))

    @property
    def video_block(self):
        """The lesson's video block value, or None (a lesson has at most one video)."""
        for block in self.body:
            if block.block_type == "video":
                return block.value
        return None

    @property
    def needs_video_watched(self) -> bool:
        """Whether completing this lesson requires watching most of its video."""
        return bool(self.video_duration) and self.video_block is not None

    def serve(self, request, *args, **kwargs):
        from . import selectors, services

        worker = selectors.worker_of_request(request)
        if worker is not None:
            enrolment = selectors.enrolment_for_lesson(worker=worker, lesson=self)
            if enrolment is not None:
                request.courses_progress = services.lesson_visit(enrolment=enrolment, lesson=self)
                request.courses_enrolment = enrolment
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        course = self.get_parent().specific
        if not isinstance(course, CoursePage):  # pragma: no cover - parent_page_types forbids it
            raise Http404
        context.update(
            selectors.lesson_page_context(
                lesson=self,
                course=course,
                enrolment=getattr(request, "courses_enrolment", None),
                progress=getattr(request, "courses_progress", None),
            )
        )
        return context


class Enrolment(models.Model):
    """A worker enrolled in a course. One per worker and course."""

    worker = models.ForeignKey(
        "registry.Worker",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("家政服务员"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("课程")
    )
    enrolled_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报名人"),
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最近学习的课时"),
    )
    last_activity_at = models.DateTimeField(_("最近学习时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(fields=["worker", "course"], name="enrolment_unique")
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="enrolment_course_done")]

    def __str__(self):
        return f"{self.worker} · {self.course}"


class LessonProgress(models.Model):
    """A worker's progress through one lesson.

    ``time_spent_seconds`` is measured by the server between visits and
    reports (gaps capped, see services); ``video_ranges`` holds the merged
    ``[start, end]`` second ranges of the video actually played.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(_("学习时长（秒）"), default=0)
    video_seconds_watched = models.PositiveIntegerField(_("视频观看（秒）"), default=0)
    video_ranges = models.JSONField(_("已观看片段"), default=list, blank=True)
    last_seen_at = models.DateTimeField(_("最近活动时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_progress_unique")
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson}"
