from django.urls import path

from . import credential_views, views

app_name = "certificates"

urlpatterns = [
    # Printed in QR codes: never change these two (DESIGN.md §5).
    path("v/<str:token>/", views.verify, name="verify"),
    # The certificate lookup's form posts here (no CSRF token, checked by origin).
    path("lookup/certificate/<int:page_id>/", views.certificate_lookup_answer, name="lookup"),
    path("v/<str:token>/photo/", views.verify_photo, name="verify_photo"),
    # The worker's live code (short-lived, single use) and the household's confirm entry.
    path("v/live/<str:token>/", views.verify_live, name="verify_live"),
    path("v/<str:token>/confirm/", views.visit_confirm, name="confirm"),
    path("me/code/", views.my_live_code, name="my_code"),
    path("me/code/refresh/", views.my_live_code_refresh, name="my_code_refresh"),
    path("me/certificates/", views.my_certificates, name="mine"),
    path(
        "me/certificates/<int:pk>/certificate.pdf",
        views.my_certificate_file,
        {"kind": "pdf"},
        name="my_pdf",
    ),
    path(
        "me/certificates/<int:pk>/card.pdf",
        views.my_certificate_file,
        {"kind": "card"},
        name="my_card",
    ),
    # Verifiable certificates (Open Badges 3.0): the worker's own, and the public pieces
    # a verifier dereferences. Status list URLs are inside every credential: keep them.
    path(
        "me/certificates/<int:pk>/credential.json",
        credential_views.my_credential,
        name="my_credential",
    ),
    path(
        "me/certificates/<int:pk>/credential.png",
        credential_views.my_credential_card,
        name="my_credential_card",
    ),
    path("v/<str:token>/credential.json", credential_views.public_credential, name="credential"),
    path("credentials/issuer/", credential_views.issuer_profile, name="credential_issuer"),
    path(
        "credentials/achievements/<str:code>/",
        credential_views.achievement,
        name="credential_achievement",
    ),
    path(
        "credentials/status/<int:pk>/",
        credential_views.status_list,
        name="credential_status_list",
    ),
]
