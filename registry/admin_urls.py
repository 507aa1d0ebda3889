"""URLs of the registry's staff screens, mounted under /admin/registry/ (see wagtail_hooks)."""

from django.urls import path

from . import admin_views as views

urlpatterns = [
    path("workers/file/", views.WorkerFileView.as_view(), name="worker_file"),
    path("workers/<int:pk>/", views.WorkerDetailView.as_view(), name="worker_detail"),
    path("workers/<int:pk>/edit/", views.WorkerEditView.as_view(), name="worker_edit"),
    path("workers/<int:pk>/<slug:action>/", views.WorkerActionView.as_view(), name="worker_action"),
    path("filings/<int:pk>/review/", views.FilingReviewView.as_view(), name="filing_review"),
    path("cards/batch/", views.BatchCardView.as_view(), name="batch_card"),
    path("cards/batch/<int:pk>/", views.BatchDetailView.as_view(), name="batch_detail"),
    path("credit/add/", views.CreditRecordAddView.as_view(), name="credit_add"),
    path("credit/<int:pk>/expire/", views.CreditRecordExpireView.as_view(), name="credit_expire"),
    path("rosters/upload/", views.RosterUploadView.as_view(), name="roster_upload"),
    path("rosters/template.xlsx", views.RosterTemplateView.as_view(), name="roster_template"),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster_detail"),
    path("rosters/<int:pk>/errors.csv", views.RosterErrorsView.as_view(), name="roster_errors"),
    path("insurance/add/", views.InsuranceAddView.as_view(), name="insurance_add"),
    path("ratings/<int:pk>/moderate/", views.RatingModerateView.as_view(), name="rating_moderate"),
]
