"""Question bank, exam definitions and attempts.

An attempt keeps a frozen snapshot of every question it drew
(``AttemptQuestion``), so editing the bank never changes an attempt.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable, PreviewableMixin


class QuestionCategory(models.Model):
    name = models.CharField(_("名称"), max_length=80, unique=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("题目分类")
        verbose_name_plural = _("题目分类")

    def __str__(self):
        return self.name


class Question(PreviewableMixin, models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", _("单选题")
        MULTIPLE = "multiple", _("多选题")
        TRUE_FALSE = "true_false", _("判断题")

    class Difficulty(models.IntegerChoices):
        EASY = 1, _("容易")
        MEDIUM = 2, _("中等")
        HARD = 3, _("较难")

    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions"
    )
    type = models.CharField(_("题型"), max_length=20, choices=Type.choices)
    stem = models.TextField(_("题干"))
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"key": "A", "text": "…"}, …]; true/false questions use keys "T" and "F".
    choices = models.JSONField(_("选项"), default=list)
    correct = models.JSONField(_("正确答案"), default=list)  # list of keys
    explanation = models.TextField(_("解析"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "pk"]
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        indexes = [models.Index(fields=["category", "is_active"])]

    def __str__(self):
        return self.stem[:40]

    def get_preview_template(self, request, mode_name):
        return "exams/admin/question_preview.html"


class Exam(ClusterableModel):
    class MultipleScoring(models.TextChoices):
        ALL_OR_NOTHING = "all", _("全对才得分")
        PARTIAL = "partial", _("按比例得分")

    class Review(models.TextChoices):
        SCORE = "score", _("只显示分数")
        ANSWERS = "answers", _("显示分数和正确答案")
        EXPLANATIONS = "explanations", _("显示正确答案和解析")

    title = models.CharField(_("名称"), max_length=120)
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="exams", verbose_name=_("课程")
    )
    time_limit_minutes = models.PositiveIntegerField(_("限时（分钟）"), default=30)
    pass_mark = models.PositiveIntegerField(_("及格分"), default=80)
    attempts_allowed = models.PositiveIntegerField(_("可考次数"), default=3)
    cooldown_minutes = models.PositiveIntegerField(_("两次考试间隔（分钟）"), default=0)
    available_from = models.DateTimeField(_("开放时间"), null=True, blank=True)
    available_until = models.DateTimeField(_("截止时间"), null=True, blank=True)
    shuffle_questions = models.BooleanField(_("打乱题目顺序"), default=True)
    shuffle_choices = models.BooleanField(_("打乱选项顺序"), default=True)
    multiple_scoring = models.CharField(
        _("多选题计分"),
        max_length=10,
        choices=MultipleScoring.choices,
        default=MultipleScoring.ALL_OR_NOTHING,
    )
    review = models.CharField(
        _("交卷后显示"), max_length=20, choices=Review.choices, default=Review.EXPLANATIONS
    )
    require_course_completed = models.BooleanField(
        _("须完成课程"), default=True, help_text=_("学完课程的全部必修课时才能参加考试。")
    )
    require_filing_approved = models.BooleanField(
        _("须已登记备案"), default=True, help_text=_("备案审核通过（已登记）才能参加考试。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("考试")
        verbose_name_plural = _("考试")

    def __str__(self):
        return self.title

    @property
    def question_count(self) -> int:
        return sum(rule.count for rule in self.draw_rules.all())

    @property
    def total_points(self):
        return sum((rule.count * rule.points for rule in self.draw_rules.all()), 0)


class DrawRule(Orderable):
    """Draw `count` questions from `category`, each worth `points`."""

    exam = ParentalKey(Exam, on_delete=models.CASCADE, related_name="draw_rules")
    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("题目分类")
    )
    count = models.PositiveIntegerField(_("题数"))
    points = models.DecimalField(_("每题分值"), max_digits=5, decimal_places=2, default=5)

    class Meta(Orderable.Meta):
        verbose_name = _("抽题规则")
        verbose_name_plural = _("抽题规则")

    def __str__(self):
        return f"{self.category} × {self.count}"


class Accommodation(models.Model):
    """Per-worker adjustments: extra time, extra attempts."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="accommodations")
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.CASCADE, related_name="+", verbose_name=_("家政服务员")
    )
    extra_minutes = models.PositiveIntegerField(_("延长时间（分钟）"), default=0)
    extra_attempts = models.PositiveIntegerField(_("增加次数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("特殊安排")
        verbose_name_plural = _("特殊安排")
        constraints = [
            models.UniqueConstraint(fields=["exam", "worker"], name="accommodation_unique")
        ]

    def __str__(self):
        return f"{self.exam} · {self.worker}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("作答中")
        SUBMITTED = "submitted", _("已交卷")
        GRADED = "graded", _("已评分")

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    worker = models.ForeignKey("registry.Worker", on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveIntegerField(_("第几次"), default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("超时自动交卷"), default=False)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by a proctor at a supervised sitting (#27): saves are refused while paused, and
    # resuming moves the deadline on by the paused time; an ended attempt fails, with the
    # reason the worker sees.
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    ended_reason = models.CharField(_("终止原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["passed", "submitted_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "worker"],
                condition=Q(status="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.UniqueConstraint(
                fields=["exam", "worker", "number"], name="attempt_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.exam} #{self.number} · {self.worker}"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.IN_PROGRESS

    @property
    def percent(self):
        """Score on a 100-point scale (the pass mark's scale), or None before grading."""
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(self.score.__class__("0.01"))


class AttemptQuestion(models.Model):
    """The frozen snapshot of one question as this attempt showed it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=Question.Type.choices)
    stem = models.TextField()
    image_url = models.CharField(max_length=500, blank=True)
    choices = models.JSONField(default=list)  # in the order shown
    correct = models.JSONField(default=list)
    explanation = models.TextField(blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attempt_question_position"
            )
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.position}"


class Answer(models.Model):
    """The latest saved answer to one attempt question; `seq` lets a late duplicate lose."""

    attempt_question = models.OneToOneField(
        AttemptQuestion, on_delete=models.CASCADE, related_name="answer"
    )
    selected = models.JSONField(default=list)
    seq = models.PositiveIntegerField(default=0)
    # Empty for a question never answered (the row is written at grading).
    saved_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")

    def __str__(self):
        return f"{self.attempt_question} = {self.selected}"


class QuestionImport(models.Model):
    """A question file (GIFT, Moodle XML, Aiken, QTI 2.1) read into one category.

    Parsed in the background into a preview (``problems`` and ``preview``);
    nothing enters the bank until the operator decides: import the questions
    without problems, or nothing.
    """

    class Format(models.TextChoices):
        GIFT = "gift", "GIFT"
        MOODLE_XML = "moodle_xml", "Moodle XML"
        AIKEN = "aiken", "Aiken"
        QTI = "qti", "QTI 2.1"

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        PARSING = "parsing", _("解析中")
        READY = "ready", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        DISCARDED = "discarded", _("未导入")
        FAILED = "failed", _("处理失败")

    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("题目分类"),
    )
    format = models.CharField(_("格式"), max_length=12, choices=Format.choices)
    file = models.FileField(_("文件"), upload_to="exams/imports/")
    original_name = models.CharField(_("文件名"), max_length=255)
    #: The text encoding the file was read in (utf-8, gb18030), for the preview.
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_items = models.PositiveIntegerField(_("题目数"), default=0)
    processed_items = models.PositiveIntegerField(_("已处理"), default=0)
    valid_count = models.PositiveIntegerField(_("无误题目"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    created_count = models.PositiveIntegerField(_("已导入"), default=0)
    image_count = models.PositiveIntegerField(_("已存图片"), default=0)
    #: [{"where": "第 12 行", "item": "q12", "message": "…"}, …]
    problems = models.JSONField(_("问题"), default=list, blank=True)
    #: The questions without problems, as the bank would hold them (image by its name in the file).
    preview = models.JSONField(_("预览"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    #: Heartbeat: moved on at every chunk, so a stalled import can be told from a long one.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("试题导入")
        verbose_name_plural = _("试题导入")
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_items:
            return 100 if self.is_finished else 0
        return min(100, self.processed_items * 100 // self.total_items)

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.PARSING, self.Status.IMPORTING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.DISCARDED, self.Status.FAILED)
