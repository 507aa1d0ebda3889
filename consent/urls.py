from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    # The household (no login): bound to its browser by cookies, never by the URL.
    path("consent/seen/<str:token>.gif", views.certificate_seen, name="seen"),
    path("consent/ask/", views.ask, name="ask"),
    path("consent/wait/", views.wait, name="wait"),
    path("consent/wait/status/", views.wait_status, name="wait_status"),
    path("consent/record/", views.record, name="record"),
    path("consent/record/photo/", views.record_photo, name="record_photo"),
    # The worker.
    path("me/views/", views.my_views, name="my_views"),
    path("me/views/<int:pk>/report/", views.report, name="report"),
    path("me/views/grants/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("me/consent/inbox/", views.inbox, name="inbox"),
    path("me/consent/requests/<int:pk>/answer/", views.answer, name="answer"),
    path("me/consent/pause/", views.pause, name="pause"),
]
