"""The kiosk (考点考试电脑): a station's computer starts a worker's exam from a ticket code.

No password: the ticket is the key, and ``sittings.services.ticket_redeem``
checks its window, the station's networks and that it was never used. The
worker is then signed in and sent to the ordinary attempt page, so the exam
runs exactly as on a phone (server clock, autosave, sequence numbers). The
session ends with the sitting; the next visit to /kiosk/ signs the previous
worker out, so the computer is ready for the next ticket.
"""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lms.client import client_address
from lms.http import private_answer
from lms.ratelimit import is_over

from . import services

#: Ticket codes tried per client address. A station's computers usually reach the platform
#: through one NAT address, so a full room starting in the same minute (60 seats, some
#: typos) must fit; a guesser must also be inside the station's networks.
KIOSK_RATE = "120/m"
KIOSK_SESSION_KEY = "sittings_kiosk_booking"


@private_answer
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request):
    refusal = None
    code = ""
    if request.user.is_authenticated and request.method == "GET":
        # A kiosk is shared: whoever sat here before is signed out.
        logout(request)
    if request.method == "POST":
        code = request.POST.get("code", "")[:40]
        if is_over(request, "sittings.kiosk", KIOSK_RATE):
            refusal = _("尝试次数太多，请一分钟后再试，或请监考员协助。")
        else:
            try:
                booking = services.ticket_redeem(code=code, client_ip=client_address(request))
            except services.TicketRefused as exc:
                refusal = exc.message
            else:
                if request.user.is_authenticated:
                    logout(request)
                login(
                    request, booking.login, backend="lms.accounts.backends.PhoneOrUsernameBackend"
                )
                request.session[KIOSK_SESSION_KEY] = booking.pk
                # The session lasts until the sitting ends, not the usual two weeks.
                request.session.set_expiry(
                    max(60, int((booking.sitting.ends_at - timezone.now()).total_seconds()))
                )
                return redirect("exams:attempt", attempt_id=booking.attempt_id)
    status = 400 if refusal else 200
    return render(request, "sittings/kiosk.html", {"refusal": refusal, "code": code}, status=status)
