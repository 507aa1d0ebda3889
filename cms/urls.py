from django.urls import path, re_path

from wagtail.coreutils import WAGTAIL_APPEND_SLASH

from . import views

app_name = "cms"

# The same pattern as Wagtail's own page route (wagtail/urls.py), so every page is
# served through cms.views.serve (edge-cache headers); Wagtail's catch-all stays as a fallback.
SERVE_PATTERN = r"^((?:[\w\-]+/)*)$" if WAGTAIL_APPEND_SLASH else r"^([\w\-/]*)$"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("language/", views.set_language, name="set_language"),
    re_path(SERVE_PATTERN, views.serve, name="serve"),
]
