from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("me/record/", views.my_record, name="my_record"),
]
