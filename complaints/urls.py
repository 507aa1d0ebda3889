from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("complaints/new/", views.file_by_number, name="new"),
    # From a confirmed visit: the household's rating link's token proves the visit is theirs.
    path("complaints/new/visit/<str:token>/", views.file_for_visit, name="new_for_visit"),
    path("complaints/filed/", views.filed, name="filed"),
    path("complaints/track/", views.track, name="track"),
]
