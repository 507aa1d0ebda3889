"""The exams app in the Wagtail admin: question bank, exams, accommodations, attempts.

Questions, categories and exams are snippets (a question has a preview, as
the worker's phone shows it); accommodations and attempts are model
viewsets. Attempts are read-only and scoped: a login sees the attempts of the
workers ``registry.selectors.access.workers_visible_to`` gives it (agency staff:
their own workers only).
"""

from django import forms
from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
)
from wagtail.admin.ui.tables import Column, TitleColumn, UpdatedAtColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.admin_scope import ReadOnlyPolicy, ScopedObjectsMixin
from registry.selectors.access import workers_visible_to

from . import admin_views, grading, selectors, xlsx
from .exchange import views as exchange_views
from .models import Accommodation, Attempt, Exam, Question, QuestionCategory

# ---------------------------------------------------------------------------
# Audit actions


@hooks.register("register_log_actions")
def register_exam_log_actions(actions):
    actions.register_action("exams.attempt_start", _("开始考试"), _("开始了考试"))
    actions.register_action("exams.attempt_submit", _("交卷"), _("交卷并评分"))
    actions.register_action(
        "exams.attempt_auto_submit", _("超时自动交卷"), _("考试时间到，系统自动交卷并评分")
    )
    actions.register_action("exams.question_import", _("导入试题"), _("从表格导入了试题"))
    actions.register_action(
        "exams.question_exchange_upload", _("上传题库文件"), _("上传了题库文件待预览")
    )
    actions.register_action(
        "exams.question_exchange_import", _("导入题库文件"), _("从题库文件导入了试题")
    )
    actions.register_action(
        "exams.question_exchange_discard", _("放弃导入题库文件"), _("选择全部不导入")
    )
    # A proctor's actions at a supervised sitting (#27).
    actions.register_action("exams.attempt_extend", _("延长考试时间"), _("监考员延长了考试时间"))
    actions.register_action("exams.attempt_pause", _("暂停考试"), _("监考员暂停了考试"))
    actions.register_action("exams.attempt_resume", _("恢复考试"), _("监考员恢复了考试"))
    actions.register_action("exams.attempt_end", _("终止考试"), _("监考员因违纪终止了考试"))


# ---------------------------------------------------------------------------
# Question bank


class QuestionForm(WagtailAdminModelForm):
    """Choices A–F and the answer as plain fields, checked like a spreadsheet row."""

    choice_a = forms.CharField(label=_("选项 A"), required=False)
    choice_b = forms.CharField(label=_("选项 B"), required=False)
    choice_c = forms.CharField(label=_("选项 C"), required=False)
    choice_d = forms.CharField(label=_("选项 D"), required=False)
    choice_e = forms.CharField(label=_("选项 E"), required=False)
    choice_f = forms.CharField(label=_("选项 F"), required=False)
    answer = forms.CharField(
        label=_("答案"),
        help_text=_(
            "单选题填一个字母，如 B；多选题填两个以上字母，如 ACD；判断题填“正确”或“错误”。"
        ),
    )

    CHOICE_FIELDS = ["choice_a", "choice_b", "choice_c", "choice_d", "choice_e", "choice_f"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            by_key = {c["key"]: c["text"] for c in instance.choices}
            for key, name in zip(xlsx.CHOICE_KEYS, self.CHOICE_FIELDS, strict=True):
                self.fields[name].initial = by_key.get(key, "")
            self.fields["answer"].initial = xlsx.answer_text(instance.type, instance.correct)

    def clean(self):
        cleaned = super().clean()
        texts = [cleaned.get(name, "") for name in self.CHOICE_FIELDS]
        choices, correct, problems = xlsx.build_choices(
            cleaned.get("type"), texts, cleaned.get("answer", "")
        )
        for column, message in problems:
            self.add_error("answer" if column == xlsx.H_ANSWER else "choice_a", message)
        cleaned["choices"], cleaned["correct"] = choices, correct
        return cleaned

    def save(self, commit=True):
        self.instance.choices = self.cleaned_data["choices"]
        self.instance.correct = self.cleaned_data["correct"]
        return super().save(commit=commit)


class QuestionIndexView(SnippetIndexView):
    """The question list, with the spreadsheet template, export and import at the top."""

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm("exams.add_question") and user.has_perm("exams.change_question"):
            buttons.append(
                HeaderButton(
                    _("导入表格"), url=reverse("exams_question:import"), icon_name="upload"
                )
            )
            buttons.append(
                HeaderButton(
                    _("导入题库文件"),
                    url=reverse("exams_question:exchange_import"),
                    icon_name="upload",
                )
            )
        if user.has_perm("exams.view_question") or user.has_perm("exams.change_question"):
            category = self.request.GET.get("category", "")
            url = reverse("exams_question:export")
            if category.isdigit():
                url += f"?category={category}"
            buttons.append(HeaderButton(_("导出表格"), url=url, icon_name="download"))
            url = reverse("exams_question:exchange_export")
            if category.isdigit():
                url += f"?category={category}"
            buttons.append(HeaderButton(_("导出题库文件"), url=url, icon_name="download"))
        return buttons


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("试题")
    admin_url_namespace = "exams_question"
    base_url_path = "exams/questions"
    index_view_class = QuestionIndexView
    list_display = [
        "stem",
        "category",
        Column("type", label=_("题型"), accessor="get_type_display"),
        Column("difficulty", label=_("难度"), accessor="get_difficulty_display"),
        "is_active",
        UpdatedAtColumn(),
    ]
    list_filter = ["category", "type", "difficulty", "is_active"]
    list_per_page = 50
    search_fields = ["stem", "explanation"]
    search_backend_name = None  # plain database filtering: the bank is small
    copy_view_enabled = True
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("category"), FieldPanel("type"), FieldPanel("difficulty")]),
            FieldPanel("stem"),
            FieldPanel("image"),
            MultiFieldPanel(
                [FieldPanel(name) for name in QuestionForm.CHOICE_FIELDS],
                heading=_("选项（判断题不填）"),
            ),
            FieldPanel("answer"),
            FieldPanel("explanation"),
            FieldPanel("is_active"),
        ],
        base_form_class=QuestionForm,
    )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", admin_views.question_import, name="import"),
            path("import/template/", admin_views.question_template, name="import_template"),
            path(
                "import/report/<str:key>/", admin_views.question_import_report, name="import_report"
            ),
            path("export/", admin_views.question_export, name="export"),
            path("exchange/import/", exchange_views.exchange_import, name="exchange_import"),
            path(
                "exchange/import/<int:pk>/", exchange_views.exchange_detail, name="exchange_detail"
            ),
            path(
                "exchange/import/<int:pk>/decide/",
                exchange_views.exchange_decide,
                name="exchange_decide",
            ),
            path("exchange/export/", exchange_views.exchange_export, name="exchange_export"),
        ]


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("题目分类")
    admin_url_namespace = "exams_category"
    base_url_path = "exams/categories"
    list_display = ["name", "description"]
    search_fields = ["name"]
    search_backend_name = None
    panels = [FieldPanel("name"), FieldPanel("description")]


class ExamViewSet(SnippetViewSet):
    model = Exam
    icon = "tasks"
    menu_label = _("考试")
    admin_url_namespace = "exams_exam"
    base_url_path = "exams/exams"
    list_display = ["title", "course", "time_limit_minutes", "pass_mark", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            PageChooserPanel("course", page_type="courses.CoursePage"),
            FieldPanel("is_active"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("pass_mark")]),
                    FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("cooldown_minutes")]),
                    FieldRowPanel([FieldPanel("available_from"), FieldPanel("available_until")]),
                ],
                heading=_("时间、及格和次数"),
            ),
            InlinePanel("draw_rules", heading=_("抽题规则"), label=_("抽题规则"), min_num=1),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                    FieldPanel("multiple_scoring"),
                    FieldPanel("review"),
                ],
                heading=_("出题和评分"),
            ),
            MultiFieldPanel(
                [FieldPanel("require_course_completed"), FieldPanel("require_filing_approved")],
                heading=_("参考资格（被列入黑名单者一律不能参加）"),
            ),
        ]
    )


class ExamsGroup(SnippetViewSetGroup):
    menu_label = _("考试与题库")
    menu_icon = "tasks"
    menu_order = 320
    items = (ExamViewSet, QuestionViewSet, QuestionCategoryViewSet)


register_snippet(ExamsGroup)


# ---------------------------------------------------------------------------
# Accommodations


class AccommodationForm(WagtailAdminModelForm):
    """Finds the worker by 家政卡号 or mobile number, among the workers this login may see."""

    worker_ref = forms.CharField(
        label=_("家政服务员"), help_text=_("填写家政卡号或手机号。"), max_length=20
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        worker = self.instance.worker if self.instance.worker_id else None
        if worker is not None:
            self.fields["worker_ref"].initial = worker.card_number or worker.phone

    def clean_worker_ref(self):
        ref = self.cleaned_data["worker_ref"].strip()
        workers = workers_visible_to(self.for_user)
        matches = list(workers.filter(Q(card_number=ref) | Q(phone=ref))[:2])
        if len(matches) != 1:
            raise forms.ValidationError(_gettext("找不到这个家政卡号或手机号对应的家政服务员。"))
        self.instance.worker = matches[0]
        return ref


class AccommodationViewSet(ScopedObjectsMixin, ModelViewSet):
    model = Accommodation
    icon = "user"
    menu_label = _("特殊安排")
    url_prefix = "exams/accommodations"
    url_namespace = "exams_accommodation"
    list_display = ["worker", "exam", "extra_minutes", "extra_attempts", "note"]
    list_filter = ["exam"]
    search_fields = ["note", "worker__name"]
    search_backend_name = None
    copy_view_enabled = False
    add_to_admin_menu = True
    menu_order = 322
    edit_handler = ObjectList(
        [
            FieldPanel("exam"),
            FieldPanel("worker_ref"),
            FieldRowPanel([FieldPanel("extra_minutes"), FieldPanel("extra_attempts")]),
            FieldPanel("note"),
        ],
        base_form_class=AccommodationForm,
    )

    def get_queryset(self, request):
        workers = workers_visible_to(request.user)
        return Accommodation.objects.filter(worker__in=workers).select_related("exam", "worker")

    def visible_to(self, user):
        workers = workers_visible_to(user)
        return Accommodation.objects.filter(worker__in=workers)


# ---------------------------------------------------------------------------
# Attempts (read-only, scoped)


class AttemptIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.attempts_visible_to(self.request.user).select_related(
            "worker__agency", "exam"
        )


class AttemptInspectView(generic.InspectView):
    template_name = "exams/admin/attempt_inspect.html"

    def get_object(self, queryset=None):
        return selectors.attempt_visible_to(self.request.user, self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attempt = self.object
        context["questions"] = [
            {
                "aq": aq,
                "answer": getattr(aq, "answer", None),
                "labels": {c["key"]: grading.choice_label(i) for i, c in enumerate(aq.choices)},
            }
            for aq in selectors.attempt_questions_with_answers(attempt)
        ]
        for item in context["questions"]:
            labels = item["labels"]
            answer = item["answer"]
            item["selected"] = "".join(
                sorted(labels.get(k, "?") for k in (answer.selected if answer else []))
            )
            item["correct"] = "".join(sorted(labels.get(k, "?") for k in item["aq"].correct))
        return context


class AttemptViewSet(ScopedObjectsMixin, ModelViewSet):
    model = Attempt
    icon = "doc-full"
    menu_label = _("考试成绩")
    url_prefix = "exams/attempts"
    url_namespace = "exams_attempt"
    index_view_class = AttemptIndexView
    inspect_view_class = AttemptInspectView
    inspect_view_enabled = True
    copy_view_enabled = False

    def visible_to(self, user):
        return selectors.attempts_visible_to(user)

    list_display = [
        TitleColumn(
            "worker",
            label=_("家政服务员"),
            get_url=lambda attempt: reverse("exams_attempt:inspect", args=[attempt.pk]),
        ),
        Column("agency", label=_("机构"), accessor="worker.agency"),
        "exam",
        "number",
        Column("status", label=_("状态"), accessor="get_status_display"),
        Column("percent", label=_("成绩")),
        "passed",
        "started_at",
        "submitted_at",
    ]
    list_filter = ["exam", "status", "passed", "auto_submitted"]
    list_export = [
        "worker__name",
        "worker__agency__name",
        "exam__title",
        "number",
        "status",
        "score",
        "max_score",
        "passed",
        "started_at",
        "submitted_at",
        "auto_submitted",
    ]
    export_headings = {
        "worker__name": _("姓名"),
        "worker__agency__name": _("机构"),
        "exam__title": _("考试"),
        "number": _("第几次"),
        "status": _("状态"),
        "score": _("得分"),
        "max_score": _("满分"),
        "passed": _("通过"),
        "started_at": _("开始时间"),
        "submitted_at": _("交卷时间"),
        "auto_submitted": _("超时自动交卷"),
    }
    search_fields = ["worker__name", "exam__title"]
    search_backend_name = None
    add_to_admin_menu = True
    menu_order = 321
    form_fields = ["exam"]


register_permission_policy(Attempt, ReadOnlyPolicy(Attempt))


@hooks.register("register_admin_viewset")
def register_accommodation_viewset():
    return AccommodationViewSet("exams_accommodation")


@hooks.register("register_admin_viewset")
def register_attempt_viewset():
    return AttemptViewSet("exams_attempt")


@hooks.register("construct_homepage_panels")
def add_exams_agency_panel(request, panels):
    """Agency staff: exam windows closing with chances left, latest results."""
    from registry.panels import add_agency_panel

    from .panels import ExamsPanel

    add_agency_panel(request, panels, ExamsPanel)
