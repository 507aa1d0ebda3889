"""Spreadsheet exports of the progress report, in the request or in Celery.

The background job rebuilds the very same view with the user and the query
string of the request, so its rows are exactly the rows the user filtered.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from .models import ExportJob


@transaction.atomic
def export_job_create(*, user, query: str, format: str) -> ExportJob:
    job = ExportJob.objects.create(user=user, query=query, format=format)
    from .tasks import export_build

    transaction.on_commit(lambda: export_build.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> None:
    """Build one job's file; a finished job is left alone (safe to run twice)."""
    from .views import ProgressReportView

    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id, status__in=[ExportJob.Status.PENDING, ExportJob.Status.FAILED])
            .first()
        )
        if job is None:
            return
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    try:
        request = RequestFactory().get("/", data=None, QUERY_STRING=job.query)
        request.GET = request.GET.copy()
        request.GET.pop("export", None)
        request.user = job.user
        view = ProgressReportView()
        view.setup(request)
        view.is_export = True
        queryset = view.get_filtered_queryset()
        output = io.BytesIO()
        if job.format == "csv":
            # Encoded lines (Wagtail's writer), the first the byte-order mark Excel needs.
            output.write(b"".join(view.stream_csv(queryset)))
        else:
            view.write_xlsx(queryset, output)
        name = f"progress-{timezone.localtime().strftime('%Y%m%d-%H%M%S')}.{job.format}"
        job.file.save(name, ContentFile(output.getvalue()), save=False)
        job.row_count = view.exported_rows
        job.status = ExportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "row_count", "status", "finished_at"])
    except Exception as error:
        job.status = ExportJob.Status.FAILED
        job.failure = str(error)[:1000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "finished_at"])
        raise
