"""Staff screens inside the Wagtail admin: revoke, reissue, renew, downloads, ZIP, bulk jobs.

Every view checks a model permission and the certificate's visibility
(``selectors.certificates_visible_to``): a certificate a user may not see is
a 404, never a 403, so ids cannot be probed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from registry.selectors.access import agencies_visible_to, agency_for_user

from .models import Certificate, CertificateType
from .selectors.records import certificate_status, certificate_visible_to, certificates_for_zip
from .services.batches import certificate_batch_issue, certificate_type_regenerate
from .services.replacement import certificate_reissue, certificate_renew
from .services.revocation import certificate_revoke
from .services.zips import certificates_zip


def _require(request, codename: str) -> None:
    if not request.user.has_perm(f"certificates.{codename}"):
        raise PermissionDenied


def _visible_or_404(request, pk: int) -> Certificate:
    certificate = certificate_visible_to(request.user, pk)
    if certificate is None:
        raise Http404
    return certificate


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=gettext_lazy("会记入审计日志。"),
    )


def _action_form(request, *, certificate, codename, title, submit, service, success):
    _require(request, codename)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = service(
                certificate=certificate,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success % {"number": result.number})
            return redirect(reverse("certificates_certificate:inspect", args=[result.pk]))
    return render(
        request,
        "certificates/admin/action_form.html",
        {
            "page_title": title,
            "header_icon": "doc-full",
            "certificate": certificate,
            "holder": certificate.worker,
            "form": form,
            "submit_label": submit,
            "status_label": Certificate.Status(certificate_status(certificate)).label,
        },
    )


@require_http_methods(["GET", "POST"])
def revoke(request, pk: int):
    certificate = _visible_or_404(request, pk)
    return _action_form(
        request,
        certificate=certificate,
        codename="revoke_certificate",
        title=_("撤销证书"),
        submit=_("确认撤销"),
        service=certificate_revoke,
        success=_("证书 %(number)s 已撤销，扫码查验即时显示“已撤销”。"),
    )


@require_http_methods(["GET", "POST"])
def reissue(request, pk: int):
    certificate = _visible_or_404(request, pk)
    return _action_form(
        request,
        certificate=certificate,
        codename="reissue_certificate",
        title=_("补发证书"),
        submit=_("确认补发"),
        service=certificate_reissue,
        success=_("证书 %(number)s 已补发新版本，旧二维码将显示“已被新证书取代”。"),
    )


@require_POST
def renew(request, pk: int):
    _require(request, "reissue_certificate")
    certificate = _visible_or_404(request, pk)
    try:
        new = certificate_renew(certificate=certificate, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("certificates_certificate:inspect", args=[certificate.pk]))
    messages.success(request, _("已换发新证书 %(number)s。") % {"number": new.number})
    return redirect(reverse("certificates_certificate:inspect", args=[new.pk]))


def download(request, pk: int, kind: str):
    """One certificate's PDF or card, for staff who may see its holder."""
    _require(request, "view_certificate")
    certificate = _visible_or_404(request, pk)
    from .views import _serve_file

    return _serve_file(certificate, kind)


class ZipForm(forms.Form):
    type = forms.ModelChoiceField(
        label=gettext_lazy("证书类型"),
        queryset=CertificateType.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("全部类型"),
    )


def download_zip(request):
    """The current certificates (PDF and card) of every worker the user may see, as one ZIP."""
    _require(request, "view_certificate")
    form = ZipForm(request.GET or None)
    if "download" not in request.GET or not form.is_valid():
        count = certificates_for_zip(request.user).count()
        return render(
            request,
            "certificates/admin/zip.html",
            {
                "page_title": _("打包下载证书"),
                "header_icon": "download",
                "form": form,
                "count": count,
                "agency": agency_for_user(request.user),
            },
        )
    cert_type = form.cleaned_data["type"]
    certificates = certificates_for_zip(request.user, type_id=cert_type.pk if cert_type else None)
    spool = certificates_zip(certificates=certificates)
    return FileResponse(
        spool, as_attachment=True, filename="certificates.zip", content_type="application/zip"
    )


def regenerate(request, pk: int):
    """Count a type's template up and re-render all its current certificates in the background."""
    _require(request, "bulk_certificate")
    cert_type = get_object_or_404(CertificateType, pk=pk)
    if request.method == "POST":
        batch = certificate_type_regenerate(cert_type=cert_type, acting_user=request.user)
        if batch.waiting_for_tasks:
            messages.warning(request, _waiting_message(batch))
        else:
            messages.success(
                request,
                _("已开始重新生成 %(count)d 张证书，进度见“批量任务”。") % {"count": batch.total},
            )
        return redirect(reverse("certificates_batch:index"))
    count = Certificate.objects.current().filter(type=cert_type).count()
    return render(
        request,
        "certificates/admin/confirm_regenerate.html",
        {
            "page_title": _("重新生成证书文件"),
            "header_icon": "repeat",
            "cert_type": cert_type,
            "count": count,
        },
    )


def _waiting_message(batch) -> str:
    """The batch is saved but its start could not be sent (the task system is down)."""
    return _(
        "已登记（共 %(count)d 项），排队中：任务系统暂时不可用，恢复后会自动开始，无需重复提交。"
    ) % {"count": batch.total}


class BatchIssueForm(forms.Form):
    type = forms.ModelChoiceField(
        label=gettext_lazy("证书类型"),
        queryset=CertificateType.objects.filter(exam__isnull=False).order_by("name"),
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("限定机构"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("全部机构"),
    )
    since = forms.DateField(
        label=gettext_lazy("考试通过日期起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("留空：所有通过考试但还没有证书的人。"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_visible_to(user).order_by("name")


def batch_issue(request):
    """Issue certificates for a cohort, in Celery chunks, with progress in the batch list."""
    _require(request, "bulk_certificate")
    form = BatchIssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = certificate_batch_issue(
                cert_type=form.cleaned_data["type"],
                agency=form.cleaned_data["agency"],
                since=form.cleaned_data["since"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if batch.waiting_for_tasks:
                messages.warning(request, _waiting_message(batch))
            else:
                messages.success(
                    request, _("已开始为 %(count)d 人发证，进度见下表。") % {"count": batch.total}
                )
            return redirect(reverse("certificates_batch:index"))
    return render(
        request,
        "certificates/admin/batch_issue.html",
        {"page_title": _("批量发证"), "header_icon": "group", "form": form},
    )
