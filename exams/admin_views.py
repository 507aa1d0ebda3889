"""Admin screens of the question bank that are not plain model views: XLSX template, export, import.

Registered as extra URLs of the question viewset (see ``wagtail_hooks``);
guarded by the question model's permissions.
"""

import secrets

from django import forms
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services, xlsx
from .models import Question, QuestionCategory

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_TTL = 60 * 60
MAX_UPLOAD = 5 * 1024 * 1024


def _require(request, action: str) -> None:
    if not request.user.has_perm(f"exams.{action}_question"):
        raise PermissionDenied


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def question_template(request):
    """An empty import file with instructions and the existing categories."""
    _require(request, "add")
    names = list(QuestionCategory.objects.order_by("name").values_list("name", flat=True))
    return _xlsx_response(xlsx.build_template(names), "question-import-template.xlsx")


def question_export(request):
    """Every question (or one category's) in the import layout."""
    _require(request, "view")
    questions = Question.objects.select_related("category").order_by("category__name", "pk")
    category = request.GET.get("category")
    if category and category.isdigit():
        questions = questions.filter(category_id=int(category))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(xlsx.export_questions(questions), f"questions-{stamp}.xlsx")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("试题表格（.xlsx）"),
        help_text=gettext_lazy("请使用下载的模板填写。只要有一行出错，整张表都不会导入。"),
    )
    create_categories = forms.BooleanField(
        label=gettext_lazy("自动创建表中的新分类"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件不能超过 5 MB。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的表格。"))
        return upload


def question_import(request):
    """Upload, validate every row, and import all rows or none; errors come back as a report."""
    _require(request, "add")
    _require(request, "change")
    context = {"template_url": reverse("exams_question:import_template")}
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        create_categories = form.cleaned_data["create_categories"]
        existing = Question.objects.values_list("pk", "category__name", "stem")
        parsed = xlsx.parse_questions(
            data,
            known_categories=set(QuestionCategory.objects.values_list("name", flat=True)),
            existing_ids={pk for pk, _c, _s in existing},
            existing_stems={(c, s): pk for pk, c, s in existing},
            create_categories=create_categories,
        )
        if parsed.ok:
            summary = services.questions_import(
                rows=parsed.rows, user=request.user, create_categories=create_categories
            )
            context["summary"] = summary
            form = ImportForm()
        else:
            key = secrets.token_urlsafe(16)
            cache.set(
                f"exams:import-report:{key}",
                (request.user.pk, xlsx.error_report(data, parsed.errors)),
                REPORT_TTL,
            )
            context["errors"] = parsed.errors[:200]
            context["error_total"] = len(parsed.errors)
            context["report_url"] = reverse("exams_question:import_report", args=[key])
    context["form"] = form
    return render(request, "exams/admin/question_import.html", context)


def question_import_report(request, key: str):
    """The error report of a failed import (kept an hour, for the user who uploaded it)."""
    _require(request, "add")
    stored = cache.get(f"exams:import-report:{key}")
    if stored is None or stored[0] != request.user.pk:
        raise Http404
    return _xlsx_response(stored[1], "question-import-errors.xlsx")
