"""Issue #21 item 18: confirming entry at the door, with bad input and bad codes.

A red or replaced code shows its reasons and records nothing until the
household presses "仍然确认"; the district is never chosen for them; a phone
number written with spaces, dashes or +86 is accepted.
"""

from django.utils import timezone

import pytest

from lms.audit import audit_entries
from registry.models import ServiceVisit

from . import factories

pytestmark = pytest.mark.django_db


def confirm_url(certificate) -> str:
    return f"/v/{certificate.token}/confirm/"


def form_data(**extra) -> dict:
    return {"service_date": timezone.localdate().isoformat(), "district": "xuhui", **extra}


@pytest.fixture
def revoked_certificate(green_worker):
    return factories.certificate(green_worker, revoked=True)


@pytest.fixture
def superseded_certificate(green_worker):
    old = factories.certificate(green_worker)
    old.superseded_by = factories.certificate(green_worker)
    old.save(update_fields=["superseded_by"])
    return old


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [("revoked_certificate", "证书已撤销"), ("superseded_certificate", "这张证书已换新")],
)
def test_a_red_or_replaced_code_asks_again_before_recording(client, request, fixture, reason):
    certificate = request.getfixturevalue(fixture)
    first = client.post(confirm_url(certificate), form_data())
    assert first.status_code == 200
    html = first.content.decode()
    assert reason in html
    assert "仍然确认" in html and 'name="acknowledged"' in html
    assert not ServiceVisit.objects.exists()

    second = client.post(confirm_url(certificate), form_data(acknowledged="1"))
    assert second.status_code == 302
    visit = ServiceVisit.objects.get()
    entry = audit_entries(visit).get(action="registry.visit_confirm")
    assert any(reason in seen for seen in entry.data["warnings_seen"])


def test_a_green_code_is_recorded_at_once(client, green_certificate):
    response = client.post(confirm_url(green_certificate), form_data())
    assert response.status_code == 302
    assert ServiceVisit.objects.count() == 1
    page = client.get(confirm_url(green_certificate)).content.decode()
    assert "仍然确认" not in page


def test_the_district_is_not_chosen_for_the_household(client, green_certificate):
    html = client.get(confirm_url(green_certificate)).content.decode()
    select = html[
        html.index('name="district"') : html.index("</select>", html.index('name="district"'))
    ]
    # Only the empty "请选择" is selected: no district (黄浦区 first) is chosen for them.
    assert select.count("selected") == 1 and '<option value="" selected>' in select
    response = client.post(confirm_url(green_certificate), form_data(district=""))
    assert response.status_code == 200
    assert "请选择服务所在区。" in response.content.decode()
    assert not ServiceVisit.objects.exists()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("139 1234 5678", "139****5678"),
        ("139\u30001234\u30005678", "139****5678"),
        ("139-1234-5678", "139****5678"),
        ("+86 139 1234 5678", "139****5678"),
    ],
)
def test_a_phone_number_written_with_spaces_is_accepted(client, green_certificate, written, stored):
    response = client.post(confirm_url(green_certificate), form_data(contact=written))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceVisit.objects.get().contact_masked == stored


def test_a_landline_with_spaces_is_accepted_and_letters_are_refused(client, green_certificate):
    assert (
        client.post(confirm_url(green_certificate), form_data(contact="021 6234 5678")).status_code
        == 302
    )
    refused = client.post(confirm_url(green_certificate), form_data(contact="call me"))
    assert refused.status_code == 200
    assert "联系方式请填写手机号或电话号码" in refused.content.decode()
    assert ServiceVisit.objects.count() == 1
