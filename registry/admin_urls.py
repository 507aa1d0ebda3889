"""URLs of the registry's staff screens, mounted under /admin/registry/ (see wagtail_hooks)."""

from django.urls import path

from registry.admin_views import cards, credit, filings, rosters, trust, workers

urlpatterns = [
    path("workers/file/", workers.WorkerFileView.as_view(), name="worker_file"),
    path("workers/<int:pk>/", workers.WorkerDetailView.as_view(), name="worker_detail"),
    path("workers/<int:pk>/edit/", workers.WorkerEditView.as_view(), name="worker_edit"),
    path(
        "workers/<int:pk>/<slug:action>/",
        workers.WorkerActionView.as_view(),
        name="worker_action",
    ),
    path("filings/<int:pk>/review/", filings.FilingReviewView.as_view(), name="filing_review"),
    path("cards/batch/", cards.BatchCardView.as_view(), name="batch_card"),
    path("cards/batch/<int:pk>/", cards.BatchDetailView.as_view(), name="batch_detail"),
    path("credit/add/", credit.CreditRecordAddView.as_view(), name="credit_add"),
    path("credit/<int:pk>/expire/", credit.CreditRecordExpireView.as_view(), name="credit_expire"),
    path("rosters/upload/", rosters.RosterUploadView.as_view(), name="roster_upload"),
    path("rosters/template.xlsx", rosters.RosterTemplateView.as_view(), name="roster_template"),
    path("rosters/<int:pk>/", rosters.RosterDetailView.as_view(), name="roster_detail"),
    path("rosters/<int:pk>/errors.csv", rosters.RosterErrorsView.as_view(), name="roster_errors"),
    path("insurance/add/", trust.InsuranceAddView.as_view(), name="insurance_add"),
    path("ratings/<int:pk>/moderate/", trust.RatingModerateView.as_view(), name="rating_moderate"),
]
