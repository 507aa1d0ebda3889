from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class StaffSecondFactorMiddleware:
    """Keep staff out of staff pages until they have passed the second factor.

    Runs after django-otp's OTPMiddleware, which sets ``request.user.is_verified()``.
    A staff session without a verified device is sent to verify (or, with no
    device yet, to enrol) and comes back to the page it asked for.
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
