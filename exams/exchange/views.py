"""Admin screens of the question exchange: upload, preview and decide, follow progress, export.

Extra URLs of the question viewset (``exams.wagtail_hooks``), guarded like
the spreadsheet import: importing needs the question model's add and change
permissions, exporting its view permission. Plain forms and a meta refresh
while a job runs: no script, so the admin's Content-Security-Policy holds.
"""

import contextlib

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import QuestionCategory, QuestionImport
from . import selectors, services

PREVIEW_PER_PAGE = 50
PROBLEMS_SHOWN = 500


def _require(request, *actions: str) -> None:
    if not all(request.user.has_perm(f"exams.{action}_question") for action in actions):
        raise PermissionDenied


class ImportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("导入到分类"), queryset=QuestionCategory.objects.order_by("name")
    )
    format = forms.ChoiceField(
        label=gettext_lazy("文件格式"),
        required=False,
        choices=[("", gettext_lazy("按文件自动识别")), *QuestionImport.Format.choices],
        help_text=gettext_lazy(
            "GIFT 与 Aiken 都是 .txt 文本：含花括号 { } 的按 GIFT 读，否则按 Aiken 读。"
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("题目文件"),
        help_text=gettext_lazy(
            "GIFT（.txt/.gift）、Moodle XML（.xml）、Aiken（.txt，UTF-8 或 GBK 编码）"
            "或 QTI 2.1 题目包（含 imsmanifest.xml 的 .zip）。"
            "上传后先预览，确认后才会导入。"
        ),
    )


def exchange_import(request):
    """Upload a question file for a category; the job's page shows its preview."""
    _require(request, "add", "change")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.question_import_create(
                category=form.cleaned_data["category"],
                upload=form.cleaned_data["file"],
                fmt=form.cleaned_data["format"] or None,
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("exams_question:exchange_detail", pk=job.pk)
    return render(
        request,
        "exams/admin/exchange_import.html",
        {"form": form, "recent": selectors.question_imports_recent()},
    )


def exchange_detail(request, pk: int):
    """One job: progress while it runs, then its problems and preview and the two choices."""
    _require(request, "add", "change")
    job = get_object_or_404(QuestionImport.objects.select_related("category"), pk=pk)
    page = Paginator(job.preview, PREVIEW_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exams/admin/exchange_detail.html",
        {
            "job": job,
            "percent": selectors.question_import_percent(job),
            "page": page,
            "problems": job.problems[:PROBLEMS_SHOWN],
            "problems_cut": len(job.problems) > PROBLEMS_SHOWN,
        },
    )


def exchange_decide(request, pk: int):
    """导入无误的题目 (action=import) or 全部不导入 (action=discard)."""
    _require(request, "add", "change")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = get_object_or_404(QuestionImport, pk=pk)
    action = request.POST.get("action")
    if action not in ("import", "discard"):
        raise PermissionDenied
    # Decided already (a second click, another tab): the job's page shows what happened.
    with contextlib.suppress(ValidationError):
        services.question_import_decide(
            job=job, import_good=action == "import", acting_user=request.user
        )
    return redirect("exams_question:exchange_detail", pk=job.pk)


class ExportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("分类"), queryset=QuestionCategory.objects.order_by("name")
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"),
        choices=[
            (QuestionImport.Format.GIFT, "GIFT"),
            (QuestionImport.Format.MOODLE_XML, gettext_lazy("Moodle XML（含图片）")),
            (QuestionImport.Format.QTI, gettext_lazy("QTI 2.1 题目包（含图片）")),
        ],
        help_text=gettext_lazy("GIFT 是纯文本，不能携带图片；要带图片请选 Moodle XML 或 QTI。"),
    )


def exchange_export(request):
    """A category's questions as a GIFT, Moodle XML or QTI 2.1 file."""
    _require(request, "view")
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        category = form.cleaned_data["category"]
        data, extension, content_type = selectors.category_export(
            category=category, fmt=form.cleaned_data["format"]
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="questions-{category.pk}-{stamp}{extension}"'
        )
        return response
    if request.GET.get("category") and not request.GET.get("format"):
        form = ExportForm(initial={"category": request.GET.get("category")})
    return render(
        request, "exams/admin/exchange_export.html", {"form": form, "title": _("导出题库文件")}
    )
