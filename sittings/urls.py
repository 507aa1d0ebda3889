from django.urls import path

from . import views

app_name = "sittings"

urlpatterns = [
    path("kiosk/", views.kiosk, name="kiosk"),
]
