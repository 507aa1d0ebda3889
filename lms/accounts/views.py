import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import qrcode
import qrcode.image.svg
from django_otp import login as otp_login

from lms.client import client_address
from lms.masking import mask_phone
from lms.notifications import SMSError, voice_calls_available

from . import services
from .forms import IdTailForm, LoginForm, PhoneForm, SMSCodeForm, TokenForm
from .models import SMSCode


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    """The sign-in page: an SMS code (workers, every day) or a password (staff, and workers who set one)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("phone_form", PhoneForm())
        return context

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


# --- sign-in by SMS code (验证码登录) ----------------------------------------------

#: Minutes a verified number may take to confirm the ID tail on a first sign-in.
CONFIRM_MINUTES = 10
CONFIRM_TRIES = 5


def _client_address(request) -> str | None:
    return client_address(request) or None


def _phone_login(name: str):
    return import_string(getattr(settings, name))


def _code_page(request, form, phone: str, *, status: int = 200):
    client_ip = _client_address(request)
    context = {
        "form": form,
        "masked_phone": mask_phone(phone),
        "wait_seconds": services.sms_code_wait(phone=phone, client_ip=client_ip),
        "ttl_minutes": max(1, settings.SMS_CODE_TTL_SECONDS // 60),
        "voice_available": voice_calls_available(),
        "voice_wait_seconds": services.sms_code_wait(
            phone=phone, client_ip=client_ip, channel=SMSCode.Channel.VOICE
        ),
    }
    return _private(render(request, "accounts/code_login.html", context, status=status))


def _private(response):
    # Sign-in pages carry a person's number: never stored by a shared cache.
    response["Cache-Control"] = "no-store, private"
    return response


def _sign_in(request, user, next_url: str):
    login(request, user, backend="lms.accounts.backends.PhoneOrUsernameBackend")
    # The number was just proved: setting a password needs no old one this session.
    request.session["signed_in_by"] = "sms"
    request.session.pop("sms_login", None)
    request.session.pop("sms_login_verified", None)
    return redirect(next_url)


@require_POST
def code_send(request):
    """Send a sign-in code to the typed number: the same answer for every number."""
    pending = request.session.get("sms_login")
    data = request.POST
    if "phone" not in data and pending:
        # "Resend" on the code page: the number stays in the session, never in the page.
        data = {"phone": pending["phone"], "next": pending["next"]}
    form = PhoneForm(data)
    next_url = _safe_next(request, settings.WORKER_HOME_URL)
    if "next" not in request.POST and pending:
        next_url = pending["next"]
    if not form.is_valid():
        context = {"form": LoginForm(request), "phone_form": form, "next": next_url}
        return _private(render(request, "accounts/login.html", context, status=400))
    phone = form.cleaned_data["phone"]
    request.session["sms_login"] = {"phone": phone, "next": next_url}
    try:
        result = services.sms_code_send(
            phone=phone, purpose=SMSCode.Purpose.LOGIN, client_ip=_client_address(request)
        )
    except SMSError as error:
        messages.error(request, _("短信没有发出：%(reason)s") % {"reason": error.message})
        return redirect("accounts:code_login")
    if result.sent:
        messages.success(request, _("验证码已发送，请查看短信。"))
    else:
        messages.error(
            request,
            _("获取验证码太频繁，请 %(wait)s 秒后再试。") % {"wait": result.wait_seconds},
        )
    return redirect("accounts:code_login")


@require_POST
def code_voice(request):
    """收不到短信？ Call the number waiting on the code page and read a fresh code aloud."""
    pending = request.session.get("sms_login")
    if not pending:
        return redirect("accounts:login")
    try:
        result = services.sms_code_send(
            phone=pending["phone"],
            purpose=SMSCode.Purpose.LOGIN,
            client_ip=_client_address(request),
            channel=SMSCode.Channel.VOICE,
        )
    except SMSError as error:
        messages.error(request, _("电话没有打出：%(reason)s") % {"reason": error.message})
        return redirect("accounts:code_login")
    if result.sent:
        messages.success(
            request, _("马上会有电话打给您，请接听并记下验证码。之前短信里的验证码不再有效。")
        )
    else:
        messages.error(
            request, _("电话告知太频繁，请 %(wait)s 秒后再试。") % {"wait": result.wait_seconds}
        )
    return redirect("accounts:code_login")


@require_http_methods(["GET", "POST"])
def code_login(request):
    """Type the code: a known login signs in; a first sign-in confirms the ID tail."""
    pending = request.session.get("sms_login")
    if not pending:
        return redirect("accounts:login")
    phone = pending["phone"]
    form = SMSCodeForm(request.POST or None)
    if request.method != "POST":
        return _code_page(request, form, phone)
    if not form.is_valid():
        return _code_page(request, form, phone, status=400)
    if not services.sms_code_check(
        phone=phone, purpose=SMSCode.Purpose.LOGIN, code=form.cleaned_data["code"]
    ):
        form.add_error("code", _("验证码不正确或已过期，请重新输入，或重新获取验证码。"))
        return _code_page(request, form, phone, status=400)
    user = _phone_login("PHONE_LOGIN_FIND")(phone=phone)
    if user is not None:
        if user.requires_second_factor:
            request.session.pop("sms_login", None)
            messages.error(request, _("工作人员请用用户名、密码和身份验证码登录。"))
            return redirect("accounts:login")
        return _sign_in(request, user, pending["next"])
    if _phone_login("PHONE_LOGIN_PENDING")(phone=phone):
        request.session["sms_login_verified"] = {
            "phone": phone,
            "at": timezone.now().timestamp(),
            "tries": 0,
            "next": pending["next"],
        }
        return redirect("accounts:code_confirm")
    request.session.pop("sms_login", None)
    return _private(render(request, "accounts/not_filed.html", {"masked_phone": mask_phone(phone)}))


@require_http_methods(["GET", "POST"])
def code_confirm(request):
    """First sign-in: the ID number's last four characters open the filed worker's account."""
    verified = request.session.get("sms_login_verified")
    fresh = verified and timezone.now().timestamp() - verified["at"] < CONFIRM_MINUTES * 60
    if not fresh or verified["tries"] >= CONFIRM_TRIES:
        request.session.pop("sms_login_verified", None)
        messages.error(request, _("确认时间已过或次数太多，请重新获取验证码登录。"))
        return redirect("accounts:login")
    form = IdTailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _phone_login("PHONE_LOGIN_ACTIVATE")(
            phone=verified["phone"], id_last4=form.cleaned_data["id_last4"]
        )
        if user is not None:
            messages.success(request, _("账户已开通，欢迎使用。"))
            return _sign_in(request, user, verified["next"])
        verified["tries"] += 1
        request.session["sms_login_verified"] = verified
        form.add_error(
            "id_last4",
            _("与备案信息不一致，请核对。还可以再试 %(left)s 次。")
            % {"left": CONFIRM_TRIES - verified["tries"]},
        )
    context = {"form": form, "masked_phone": mask_phone(verified["phone"])}
    return _private(render(request, "accounts/code_confirm.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def password_set(request):
    """Set (or change) the login password. After an SMS sign-in no old password is asked."""
    user = request.user
    by_code = request.session.get("signed_in_by") == "sms"
    form_class = (
        SetPasswordForm if by_code or not user.has_usable_password() else PasswordChangeForm
    )
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        services.password_set_audit(user=user)
        messages.success(
            request, _("密码已设置。以后可以用手机号和密码登录，也可以继续用验证码登录。")
        )
        return redirect("accounts:home")
    return _private(render(request, "accounts/password_set.html", {"form": form}))
