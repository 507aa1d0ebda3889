"""Agency staff enrol their own workers in a course, many at once (inside the Wagtail admin).

The workers offered, filtered and accepted are only ever those of
``registry.selectors.access.workers_visible_to(user)``: a worker id from elsewhere
in a forged form is silently ignored.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from registry.models import Branch
from registry.selectors.access import workers_visible_to

from . import selectors, services
from .models import CoursePage

PAGE_SIZE = 50


def user_can_bulk_enrol(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("courses.add_enrolment"))


class EnrolFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", gettext_lazy("全部")),
        ("not_enrolled", gettext_lazy("未报名")),
        ("enrolled", gettext_lazy("已报名")),
        ("completed", gettext_lazy("已学完")),
    ]

    course = forms.ModelChoiceField(
        label=gettext_lazy("课程"), queryset=CoursePage.objects.none(), required=False
    )
    q = forms.CharField(label=gettext_lazy("姓名或家政卡号"), required=False, max_length=50)
    branch = forms.ModelChoiceField(
        label=gettext_lazy("门店"), queryset=Branch.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("报名状态"), choices=STATUS_CHOICES, required=False
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = selectors.courses_live()
        self.fields["branch"].queryset = Branch.objects.filter(
            pk__in=workers.exclude(branch__isnull=True).values("branch_id")
        ).order_by("name")


def _filtered_workers(user, form: EnrolFilterForm):
    workers = workers_visible_to(user).select_related("branch", "agency")
    if not form.is_valid():
        return workers.order_by("name", "pk")
    data = form.cleaned_data
    if data.get("q"):
        query = data["q"].strip()
        workers = workers.filter(Q(name__icontains=query) | Q(card_number__iexact=query))
    if data.get("branch"):
        workers = workers.filter(branch=data["branch"])
    course = data.get("course")
    status = data.get("status")
    if course is not None and status:
        enrolled = Q(enrolments__course=course)
        if status == "not_enrolled":
            workers = workers.exclude(enrolled)
        elif status == "enrolled":
            workers = workers.filter(enrolled)
        elif status == "completed":
            workers = workers.filter(enrolled, enrolments__completed_at__isnull=False)
    return workers.order_by("name", "pk").distinct()


@require_http_methods(["GET", "POST"])
def bulk_enrol(request):
    """List the staff member's workers with their state in a course; enrol the ticked ones."""
    if not user_can_bulk_enrol(request.user):
        raise PermissionDenied
    visible = workers_visible_to(request.user)
    data = request.POST if request.method == "POST" else request.GET
    form = EnrolFilterForm(data or None, workers=visible)
    workers = _filtered_workers(request.user, form)
    course = form.cleaned_data.get("course") if form.is_valid() else None

    if request.method == "POST":
        if course is None:
            messages.error(request, _("请先选择课程。"))
        else:
            if request.POST.get("scope") == "all":
                chosen = workers
            else:
                ids = [int(i) for i in request.POST.getlist("worker") if i.isdigit()]
                chosen = visible.filter(pk__in=ids)
            try:
                result = services.enrolments_bulk_create(
                    workers=chosen, course=course, acting_user=request.user
                )
            except services.EnrolmentRefused as error:
                messages.error(request, " ".join(error.messages))
            else:
                _report(request, result, course)
        keep = {
            k: request.POST[k] for k in ("course", "q", "branch", "status") if request.POST.get(k)
        }
        return redirect(f"{request.path}?{urlencode(keep)}")

    paginator = Paginator(workers, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("p"))
    states = (
        selectors.enrolment_states(course=course, worker_ids=[w.pk for w in page.object_list])
        if course
        else {}
    )
    rows = [{"worker": w, "progress": states.get(w.pk)} for w in page.object_list]
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        "page_title": _("批量报名课程"),
        "header_icon": "group",
        "form": form,
        "course": course,
        "rows": rows,
        "page_obj": page,
        "total": paginator.count,
        "query_string": query.urlencode(),
        "missing_prerequisites": list(course.prerequisites.all()) if course else [],
    }
    return TemplateResponse(request, "courses/admin/bulk_enrol.html", context)


def _report(request, result: services.BulkEnrolmentResult, course: CoursePage) -> None:
    if result.created:
        messages.success(
            request,
            ngettext(
                "已为 %(count)d 名学员报名《%(course)s》。",
                "已为 %(count)d 名学员报名《%(course)s》。",
                len(result.created),
            )
            % {"count": len(result.created), "course": course.title},
        )
    if result.existing:
        messages.info(
            request,
            _("%(count)d 名学员之前已报名，未重复报名。") % {"count": len(result.existing)},
        )
    if result.refused:
        reasons = sorted(set(result.refused.values()))
        messages.warning(
            request,
            _("%(count)d 名学员未能报名：%(reasons)s")
            % {
                "count": len(result.refused),
                "reasons": "；".join(reasons),
            },
        )
    if not (result.created or result.existing or result.refused):
        messages.warning(request, _("没有选中任何学员。"))
