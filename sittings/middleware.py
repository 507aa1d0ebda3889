"""A kiosk session opens the worker's exam and nothing else.

A station's computer is shared. Once a ticket has signed a worker in
(``sittings.views.kiosk``), any request outside the exam — the worker's other
pages, the admin, the portal — signs the worker out and returns the computer to
the ticket screen, so the next person at the seat never sees the last one's
record.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from .views import KIOSK_SESSION_KEY

#: What an exam in progress needs: its pages and the exam client's API, the kiosk
#: itself, static files and the translations the client loads.
KIOSK_PATHS = (
    "/me/exams/attempts/",
    "/api/v1/exam/",
    "/kiosk/",
    "/static/",
    "/jsi18n/",
    "/i18n/",
)


class KioskSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request with a session cookie can be a kiosk's: anonymous portal
        # requests never load a session here.
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.path.startswith(KIOSK_PATHS)
            and request.session.get(KIOSK_SESSION_KEY)
        ):
            logout(request)
            return redirect("sittings:kiosk")
        return self.get_response(request)
