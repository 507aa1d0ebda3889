from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("me/exams/", views.exam_list, name="list"),
    path("me/exams/<int:exam_id>/", views.exam_detail, name="detail"),
    path("me/exams/<int:exam_id>/start/", views.exam_start, name="start"),
    path("me/exams/attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("me/exams/attempts/<int:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("me/exams/attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
