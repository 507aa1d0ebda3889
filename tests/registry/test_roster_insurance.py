"""A roster can carry each worker's liability insurance: filed with the worker, or not at all."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from registry.models import Insurance, RosterImport, Worker
from tests.registry.factories import next_id_number
from tests.registry.test_admin_views import _xlsx

pytestmark = pytest.mark.django_db


HEADER = ["姓名", "身份证号", "保险公司", "保单号", "保险生效日期", "保险到期日期"]


def _upload(client, rows):
    upload = SimpleUploadedFile("roster.xlsx", _xlsx([HEADER, *rows]))
    assert client.post(reverse("registry_admin:roster_upload"), {"file": upload}).status_code == 302
    return RosterImport.objects.get()


def test_insurance_columns_are_filed_with_the_worker(client, staff_a):
    number = next_id_number()
    roster = _upload(
        client, [["王保", number, "平安保险", "PA20260001234", "2026-01-01", "2026-12-31"]]
    )
    assert roster.created_count == 1
    insurance = Insurance.objects.get(worker__name="王保")
    assert insurance.insurer == "平安保险"
    assert insurance.end_date.isoformat() == "2026-12-31"
    assert "PA20260001234" not in insurance.policy_number_encrypted


def test_incomplete_or_reversed_insurance_refuses_the_whole_row(client, staff_a):
    roster = _upload(
        client,
        [
            ["缺单号", next_id_number(), "平安保险", "", "2026-01-01", "2026-12-31"],
            ["倒日期", next_id_number(), "平安保险", "PA20260009999", "2026-12-31", "2026-01-01"],
            ["无保险", next_id_number(), "", "", "", ""],
        ],
    )
    assert roster.created_count == 1
    errors = {(e["row"], e["column"]) for e in roster.errors}
    assert (2, "保单号") in errors
    assert (3, "保险到期日期") in errors
    assert set(Worker.objects.values_list("name", flat=True)) >= {"无保险"}
    assert not Worker.objects.filter(name__in=["缺单号", "倒日期"]).exists()
    assert not Insurance.objects.exists()
