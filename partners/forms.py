"""The partner form of the admin: scopes as checkboxes, the rules of ``Partner.clean``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from .models import Scope


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
