from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
