from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("me/record/", views.my_record, name="my_record"),
    path(
        "me/record/transfers/<int:pk>/<str:answer>/",
        views.my_transfer_answer,
        name="my_transfer_answer",
    ),
    path("me/phone/", views.my_phone, name="my_phone"),
    # The public lookups' forms post here (no CSRF token, checked by origin: lms/origin.py).
    path("lookup/worker/<int:page_id>/", views.worker_trace_answer, name="worker_lookup"),
    path("lookup/agency/<int:page_id>/", views.agency_credit_answer, name="agency_lookup"),
    # The household's one-time rating link, shown once when a visit is confirmed.
    path("v/rate/<str:token>/", views.visit_rate, name="visit_rate"),
]
