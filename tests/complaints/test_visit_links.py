"""After confirming entry the household is texted the rating link; the rating page links
to the complaint form for that visit, which files a complaint naming that visit's worker."""

import re

from django.utils import timezone

import pytest

from complaints.models import Complaint
from tests.registry.factories import ApprovedWorkerFactory
from tests.trust.factories import certificate

from . import factories

pytestmark = pytest.mark.django_db


def test_confirming_entry_texts_the_rating_link(client, outbox, django_capture_on_commit_callbacks):
    worker = ApprovedWorkerFactory()
    cert = certificate(worker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/v/{cert.token}/confirm/",
            {
                "service_date": timezone.localdate().isoformat(),
                "district": "xuhui",
                "contact": "139 1234 5678",
                "acknowledged": "1",
            },
        )
    assert response.status_code == 302
    phone, message = outbox[-1]
    assert phone == "13912345678"
    link = re.search(r"/v/rate/[\w-]+/", message).group(0)
    assert response["Location"].startswith(link)
    assert "13912345678" not in message and worker.name not in message


def test_a_landline_gets_no_sms(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.visit_with_token(contact="021-6234 5678")
    assert outbox == []


def test_rating_page_links_to_the_complaint_form_which_files_for_that_visit(client):
    worker = ApprovedWorkerFactory()
    visit, token = factories.visit_with_token(worker)
    page = client.get(f"/v/rate/{token}/")
    assert f"/complaints/new/visit/{token}/" in page.text
    form = client.get(f"/complaints/new/visit/{token}/")
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    assert worker.name not in form.text and worker.masked_name in form.text
    other = ApprovedWorkerFactory()
    response = client.post(
        f"/complaints/new/visit/{token}/",
        {
            "category": "damage",
            "description": "打碎了一个花瓶，没有告诉我们。",
            "phone": "13912345678",
            # Fields a form does not have are ignored: the visit decides whom it names.
            "worker": other.pk,
            "agency": other.agency_id,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/complaints/filed/"
    complaint = Complaint.objects.get()
    assert complaint.visit == visit and complaint.worker == worker
    filed = client.get("/complaints/filed/")
    assert complaint.number in filed.text
    # Shown once: a reload goes to the tracking form.
    assert client.get("/complaints/filed/").status_code == 302


def test_an_unknown_link_is_a_404_and_files_nothing(client):
    response = client.post(
        "/complaints/new/visit/nonsense/",
        {"category": "other", "description": "随便写的投诉内容内容", "phone": "13912345678"},
    )
    assert response.status_code == 404
    assert not Complaint.objects.exists()
