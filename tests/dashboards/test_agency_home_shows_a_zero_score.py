"""A score of 0 is a score: the agency home shows it, not a blank."""

import re

from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_a_failed_attempt_with_no_right_answer_shows_0(staff_client, stage):
    worker = stage.worker("failed")  # graded with every answer wrong: 0 of 100
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    line = next(li for li in re.findall(r"<li>.*?</li>", html, re.S) if worker.name in li)
    assert re.search(r"未通过\s+0 分", line), line
