from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("me/record/", views.my_record, name="my_record"),
    # The household's one-time rating link, shown once when a visit is confirmed.
    path("v/rate/<str:token>/", views.visit_rate, name="visit_rate"),
]
