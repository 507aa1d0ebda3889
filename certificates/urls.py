from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    # Printed in QR codes: never change these two (DESIGN.md §5).
    path("v/<str:token>/", views.verify, name="verify"),
    path("v/<str:token>/photo/", views.verify_photo, name="verify_photo"),
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
]
