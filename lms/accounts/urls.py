from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/backup-codes/", views.backup_codes, name="backup_codes"),
]
