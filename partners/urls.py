"""The OAuth 2.0 token endpoint of partner systems (client credentials, django-oauth-toolkit)."""

from django.urls import path

from .oauth import PartnerTokenView

app_name = "partners"

urlpatterns = [
    path("oauth/token/", PartnerTokenView.as_view(), name="token"),
]
