import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

import qrcode
import qrcode.image.svg
from django_otp import login as otp_login

from . import services
from .forms import LoginForm, TokenForm


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        # A password sign-in is never verified yet: staff go on to the second step.
        if self.request.user.requires_second_factor:
            default = reverse("wagtailadmin_home")
            url = reverse("accounts:otp_verify")
            return f"{url}?next={_safe_next(self.request, default)}"
        return super().get_success_url()


@login_required
def home(request):
    """Where a signed-in person lands: staff in the admin, workers on their own page."""
    if request.user.requires_second_factor:
        return redirect("wagtailadmin_home")
    return redirect(getattr(settings, "WORKER_HOME_URL", "/me/"))


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of a staff sign-in: an authenticator code or a backup code."""
    user = request.user
    next_url = _safe_next(request, reverse("wagtailadmin_home"))
    if user.is_verified():
        return redirect(next_url)
    if not services.user_has_second_factor(user=user):
        return redirect(f"{reverse('accounts:otp_setup')}?next={next_url}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_match(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("验证码不正确或已使用过，请输入新的验证码。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app (TOTP) by QR code; then show backup codes once."""
    user = request.user
    next_url = _safe_next(request, reverse("wagtailadmin_home"))
    if services.user_has_second_factor(user=user) and not user.is_verified():
        # Someone with only the password must not be able to add a device.
        return redirect(f"{reverse('accounts:otp_verify')}?next={next_url}")
    device = services.totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.totp_device_confirm(user=user, token=form.cleaned_data["token"])
        if confirmed is not None:
            otp_login(request, confirmed)
            codes = services.backup_codes_regenerate(user=user)
            messages.success(request, _("身份验证器绑定成功。"))
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
        form.add_error("token", _("验证码不正确，请确认手机时间准确后重试。"))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_http_methods(["POST"])
def backup_codes(request):
    """New backup codes for a verified staff member (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect(f"{reverse('accounts:otp_verify')}?next={request.path}")
    codes = services.backup_codes_regenerate(user=request.user)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": reverse("wagtailadmin_home")},
    )
