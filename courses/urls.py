from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("me/", views.my_learning, name="my_learning"),
    path("me/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path(
        "me/learning/<int:enrolment_id>/lessons/<int:lesson_id>/done/",
        views.lesson_done,
        name="lesson_done",
    ),
    path(
        "me/learning/<int:enrolment_id>/lessons/<int:lesson_id>/progress/",
        views.lesson_progress,
        name="lesson_progress",
    ),
]
