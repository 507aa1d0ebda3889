"""Forms of the registry's public lookups, worker-facing and staff screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Branch, CreditRecord, ServiceCategory


class WorkerTraceLookupForm(forms.Form):
    """By card number, or by full name plus the last four characters of the ID number."""

    card_number = forms.CharField(
        label=_("家政卡号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin"}),
    )
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    id_last4 = forms.RegexField(
        label=_("身份证后四位"),
        regex=r"^\d{3}[\dXx]$",
        required=False,
        error_messages={"invalid": _("请输入身份证号的最后四位，例如 123X。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 4, "size": 6}),
    )

    def clean(self):
        data = super().clean()
        card, name, tail = data.get("card_number"), data.get("name"), data.get("id_last4")
        if not card and not (name and tail) and not self.errors:
            raise forms.ValidationError(_("请输入家政卡号，或同时输入姓名和身份证后四位。"))
        return data


class AgencyCreditLookupForm(forms.Form):
    q = forms.CharField(
        label=_("企业名称或统一社会信用代码"),
        max_length=120,
        min_length=2,
        error_messages={
            "min_length": _("请至少输入两个字。"),
            "required": _("请输入企业名称或信用代码。"),
        },
    )


def _limit_branches(field, *, agency, branch) -> None:
    """Offer the agency's branches, or only `branch` when the user works at one branch."""
    if agency is not None:
        field.queryset = Branch.objects.filter(agency=agency)
    if branch is not None:
        field.queryset = Branch.objects.filter(pk=branch.pk)


class WorkerFilingForm(forms.Form):
    """Agency staff file one worker."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        min_length=18,
        help_text=_("18 位，最后一位可能是 X。出生日期和性别由身份证号自动得出。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(label=_("手机号"), max_length=11, required=False)
    branch = forms.ModelChoiceField(label=_("门店"), queryset=Branch.objects.none(), required=False)
    service_categories = forms.ModelMultipleChoiceField(
        label=_("服务类别"),
        queryset=ServiceCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    health_check_date = forms.DateField(
        label=_("体检日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    health_check_expiry = forms.DateField(
        label=_("体检有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    photo = forms.ImageField(
        label=_("照片"), required=False, help_text=_("正面免冠照，JPG/PNG，不超过 5 MB。")
    )

    def __init__(self, *args, agency=None, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_branches(self.fields["branch"], agency=agency, branch=branch)
        if branch is not None:
            self.fields["branch"].initial = branch.pk
            self.fields["branch"].required = True


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("XLSX 或 CSV（UTF-8），第一行为表头。可先下载模板填写。"),
    )
    branch = forms.ModelChoiceField(
        label=_("默认门店"), queryset=Branch.objects.none(), required=False
    )

    def __init__(self, *args, agency=None, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_branches(self.fields["branch"], agency=agency, branch=branch)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只支持 .xlsx 或 .csv 文件。"))
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 20 MB。"))
        return upload


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )


class BatchCardForm(forms.Form):
    collected_by = forms.CharField(label=_("领卡人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=255, required=False)


class CreditRecordForm(forms.Form):
    """A regulator adds a credit record about a worker (by card number) or an agency."""

    subject = forms.ChoiceField(
        label=_("对象"), choices=[("worker", _("家政服务员")), ("agency", _("家政企业"))]
    )
    card_number = forms.CharField(label=_("服务员家政卡号"), max_length=20, required=False)
    id_number = forms.CharField(label=_("或服务员身份证号"), max_length=18, required=False)
    credit_code = forms.CharField(label=_("企业统一社会信用代码"), max_length=18, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=CreditRecord.Kind.choices)
    source = forms.CharField(label=_("来源"), max_length=120)
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("失效日期"),
        required=False,
        help_text=_("到期后不再计入信用状况；不填则长期有效。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 4}))
    is_public = forms.BooleanField(label=_("公开"), required=False, initial=True)


class VisitRatingForm(forms.Form):
    """A household's rating of one visit, through its one-time link."""

    stars = forms.TypedChoiceField(
        label=_("评分"),
        choices=[
            (5, _("5 星 · 非常满意")),
            (4, _("4 星 · 满意")),
            (3, _("3 星 · 一般")),
            (2, _("2 星 · 不满意")),
            (1, _("1 星 · 很不满意")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价内容（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("评分和评价内容经监管部门审核后才计入平均分、才会公开，不会显示你的联系方式。"),
    )


class InsuranceForm(forms.Form):
    """Agency staff enter a worker's liability insurance (the policy number is stored encrypted)."""

    worker = forms.ModelChoiceField(label=_("家政服务员"), queryset=None)
    insurer = forms.CharField(label=_("保险公司"), max_length=80)
    policy_number = forms.CharField(
        label=_("保单号"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    start_date = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("到期日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class RatingModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理"),
        choices=[
            ("approve", _("通过（评价内容公开）")),
            ("reject", _("不通过（不公开，不计入评分）")),
            ("escalate", _("转为信用记录（投诉或违规）")),
        ],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("信用记录类型"),
        choices=[
            (CreditRecord.Kind.COMPLAINT, CreditRecord.Kind.COMPLAINT.label),
            (CreditRecord.Kind.VIOLATION, CreditRecord.Kind.VIOLATION.label),
        ],
        required=False,
    )
    note = forms.CharField(
        label=_("意见或说明"),
        required=False,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不通过时必填；转为信用记录时作为记录说明（不填则用评价内容）。"),
    )
