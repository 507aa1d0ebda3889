"""Forms of the partner admin: the partner (scopes as checkboxes, the rules of
``Partner.clean``), and its webhook endpoints, their replay and delivery filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from lms.outbox import Cursor, EventType

from .models import Scope, WebhookDelivery


class PartnerForm(WagtailAdminModelForm):
    scope = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("令牌最多获得这些权限；收回的权限对已发出的令牌立即生效。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scope"] = self.instance.scope.split()

    def clean_scope(self) -> str:
        chosen = set(self.cleaned_data.get("scope") or [])
        return " ".join(value for value in Scope.values if value in chosen)


# --- webhooks (city regulators) ------------------------------------------------------------


def event_type_choices():
    return [(value, label) for value, label in EventType.LABELS.items()]


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("推送地址"),
        max_length=500,
        help_text=_("合作方接收推送的 https 地址，不能指向内网或本机。"),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    event_types = forms.MultipleChoiceField(
        label=_("订阅的事件"),
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("都不选表示全部事件。"),
    )


class WebhookDisableForm(forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=200)


class WebhookReplayForm(forms.Form):
    """A time range and/or a cursor range (after `after`, up to and including `through`)."""

    since = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=_("结束时间（不含）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    after = forms.CharField(
        label=_("起始游标（不含）"), required=False, max_length=60, help_text=_("例如 1234.5678")
    )
    through = forms.CharField(label=_("截止游标（含）"), required=False, max_length=60)

    def clean_cursor(self, name):
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            return Cursor.parse(text)
        except ValueError:
            raise forms.ValidationError(_("游标格式不正确，例如 1234.5678。")) from None

    def clean_after(self):
        return self.clean_cursor("after")

    def clean_through(self):
        return self.clean_cursor("through")

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("since", "until", "after", "through")):
            raise forms.ValidationError(_("请至少填写一个时间或游标，限定要重放的范围。"))
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", _("结束时间应晚于开始时间。"))
        return data


class WebhookDeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    replay = forms.ChoiceField(
        label=_("重放"),
        required=False,
        choices=[("", _("全部")), ("1", _("仅重放")), ("0", _("仅首次推送"))],
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部")), *WebhookDelivery.Status.choices]
