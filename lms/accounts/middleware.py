from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffSecondFactorMiddleware:
    """Keep staff out of staff pages until they have passed the second factor.

    Runs after django-otp's OTPMiddleware, which sets ``request.user.is_verified()``.
    A staff session without a verified device is sent to verify (or, with no
    device yet, to enrol) and comes back to the page it asked for.

    A signed-in person who may not use the Wagtail admin (a worker) is sent to
    their own page with a message. Left to Wagtail, they would go to the sign-in
    page, which sends a signed-in person back to ``next`` (the admin): a loop.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.STAFF_PATH_PREFIXES)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path.startswith(self.prefixes)
            and user.is_authenticated
            and getattr(user, "requires_second_factor", False)
            and not user.is_verified()
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp_verify')}?{query}")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here rather than in __call__: MessageMiddleware runs after this one, and
        # only its request phase gives the request somewhere to keep a message.
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(reverse("wagtailadmin_home"))
            and request.path != reverse("wagtailadmin_logout")
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            messages.info(request, _("管理后台只对机构和监管人员开放。这里是你自己的页面。"))
            return redirect(settings.WORKER_HOME_URL)
        return None
