"""The household's confirm-entry form on the status view."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.selectors.workers import district_choices, service_categories


class VisitConfirmForm(forms.Form):
    service_category = forms.ModelChoiceField(
        label=_("服务类型"), queryset=None, required=False, empty_label=_("（不选）")
    )
    service_date = forms.DateField(
        label=_("服务日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    # No district is chosen for the household: a silent default (the first, 黄浦区) would
    # file visits under the wrong district's supervision.
    district = forms.ChoiceField(
        label=_("服务所在区"),
        choices=lambda: [("", _("请选择")), *district_choices()],
        error_messages={"required": _("请选择服务所在区。")},
    )
    contact = forms.CharField(
        label=_("你的手机号（可不填）"),
        max_length=20,
        required=False,
        help_text=_("只用于监管部门回访；任何页面上都只显示为 138****5678 这样的形式。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    #: Set by the "仍然确认" button once the household has seen the warnings.
    acknowledged = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_category"].queryset = service_categories()
        self.fields["service_date"].initial = timezone.localdate()
