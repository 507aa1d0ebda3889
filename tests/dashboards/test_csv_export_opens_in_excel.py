"""The staff-progress CSV starts with one UTF-8 byte-order mark, so Excel shows the Chinese."""

import codecs

from django.urls import reverse

import pytest

from dashboards.models import ExportJob
from dashboards.services import export_job_run

pytestmark = pytest.mark.django_db

REPORT = "dashboards_admin:report"


def test_the_downloaded_csv_starts_with_one_bom(staff_client, funnel_data):
    response = staff_client.get(reverse(REPORT) + "?export=csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    assert not content[3:].startswith(codecs.BOM_UTF8)
    assert content[3:].decode("utf-8").startswith("姓名")
    assert "charset=utf-8" in response["Content-Type"]


def test_the_background_csv_starts_with_one_bom(staff, funnel_data):
    job = ExportJob.objects.create(user=staff, query="", format="csv")
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    content = job.file.read()
    assert content.startswith(codecs.BOM_UTF8) and not content[3:].startswith(codecs.BOM_UTF8)
