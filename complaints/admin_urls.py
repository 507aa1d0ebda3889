"""URLs of the complaints' staff screens, mounted under /admin/complaints/ (see wagtail_hooks)."""

from django.urls import path

from . import admin_views

app_name = "complaints_admin"

urlpatterns = [
    path("", admin_views.QueueView.as_view(), name="queue"),
    path("<int:pk>/", admin_views.DetailView.as_view(), name="detail"),
    path(
        "<int:pk>/photos/<int:photo_pk>/",
        admin_views.PhotoView.as_view(),
        name="photo",
    ),
    path(
        "<int:pk>/photos/<int:photo_pk>/thumb/",
        admin_views.PhotoView.as_view(),
        {"size": "thumb"},
        name="photo_thumb",
    ),
    path("agency/", admin_views.AgencyListView.as_view(), name="agency_list"),
    path("agency/<int:pk>/answer/", admin_views.AgencyAnswerView.as_view(), name="agency_answer"),
]
