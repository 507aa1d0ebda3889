"""Forms of the household's complaint pages and the staff screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Complaint
from .services.filing import DESCRIPTION_MAX, MAX_PHOTOS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS files in one input (``multiple``: no script needed on a phone)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class ComplaintForm(forms.Form):
    """What a household writes; whom it is about comes from the link or lookup, not from here."""

    category = forms.ChoiceField(
        label=_("投诉类别"), choices=Complaint.Category.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("投诉内容"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明时间、经过和您的诉求。"),
    )
    photos = PhotosField(
        label=_("照片（可不传）"),
        required=False,
        help_text=_("JPG、PNG 或 WebP，每张不超过 5 MB；上传前会去除拍摄位置等信息。"),
    )
    phone = forms.CharField(
        label=_("联系手机"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("用于接收投诉编号和办理进展，不会公开。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].label = _("照片（可不传，最多 %(n)s 张）") % {"n": MAX_PHOTOS}


class SubjectForm(forms.Form):
    """A complaint without a visit: about a worker by card number, or an agency by credit code."""

    identifier = forms.CharField(
        label=_("家政卡号或企业统一社会信用代码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin"}),
        help_text=_("家政卡号印在服务员的家政卡上；信用代码为 18 位，可在“信用查询”中查到。"),
    )


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("投诉编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TS-2026-000123"}),
    )
    phone_last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("请输入提交投诉时所留手机号的最后四位数字。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": 4, "size": 6}
        ),
    )


class InvestigateForm(forms.Form):
    reason = forms.CharField(
        label=_("说明（投诉人可见）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    internal_note = forms.CharField(
        label=_("内部备注（投诉人不可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Complaint.Outcome.choices)
    responsible = forms.ChoiceField(
        label=_("责任方（投诉成立或部分成立时）"),
        choices=[("", "—"), *Complaint.Responsible.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("答复内容（投诉人可见）"), widget=forms.Textarea(attrs={"rows": 4})
    )
    internal_note = forms.CharField(
        label=_("内部备注（投诉人不可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgencyAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("企业答复"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("只能答复一次，提交后不能修改；答复供区监管部门办理参考。"),
    )
