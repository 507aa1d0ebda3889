from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lms.validators import normalize_mobile


class LoginForm(AuthenticationForm):
    """Sign in with a mobile number (workers) or a username (staff)."""

    username = forms.CharField(
        label=_("手机号或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        # One message for a wrong password and an unknown account alike.
        "invalid_login": _("手机号/用户名或密码不正确，请重新输入。"),
        "inactive": _("手机号/用户名或密码不正确，请重新输入。"),
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("输入身份验证器 App 上的 6 位数字，或一个备用码。"),
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()


class PhoneForm(forms.Form):
    """A mainland mobile number, typed any way people type it (spaces, dashes, +86)."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "13812345678"}
        ),
    )

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])


class SMSCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
        error_messages={"min_length": _("验证码是 6 位数字。")},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("验证码是 6 位数字。"), code="code_digits")
        return code


class IdTailForm(forms.Form):
    id_last4 = forms.CharField(
        label=_("身份证号后四位"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("第一次登录时，请输入您身份证号的最后四位，确认是您本人（最后一位可能是 X）。"),
        error_messages={"min_length": _("请输入 4 位，例如 123X。")},
    )

    def clean_id_last4(self):
        return self.cleaned_data["id_last4"].strip().upper()
