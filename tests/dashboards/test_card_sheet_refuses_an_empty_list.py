"""Printing a card-collection sheet for workers none of whom awaits a card warns, prints nothing."""

from django.contrib.messages import get_messages
from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_no_worker_waiting_for_a_card_gives_a_warning_not_an_empty_sheet(staff_client, stage):
    carded = stage.worker("approved")
    response = staff_client.post(
        reverse("dashboards_admin:bulk"), {"action": "cards", "worker": [carded.pk]}
    )
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("没有待领卡的人" in m for m in warnings)
