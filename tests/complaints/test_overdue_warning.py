"""An open complaint past its 15 working days raises an early warning in its district
(the warning rules' life cycle: one per complaint, closed when the complaint is)."""

import datetime

import pytest
import time_machine

from complaints.services.handling import complaint_close, complaint_start_investigation
from dashboards.models import SupervisionWarning
from dashboards.rules import warnings_evaluate

from . import factories

pytestmark = pytest.mark.django_db

RULE = SupervisionWarning.Rule.COMPLAINT_OVERDUE
MONDAY = datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC)  # 10:00 in Shanghai


def _open():
    return SupervisionWarning.objects.filter(rule=RULE).exclude(status="resolved")


def test_the_warning_fires_after_the_deadline_only_and_closes_with_the_complaint(
    xuhui_regulator,
):
    with time_machine.travel(MONDAY, tick=False):
        complaint = factories.complaint()
        complaint_start_investigation(
            complaint=complaint, acting_user=xuhui_regulator, reason="调查中"
        )
    # 15 working days from Monday 2 March: Monday 23 March.
    assert complaint.due_on == datetime.date(2026, 3, 23)
    with time_machine.travel(datetime.datetime(2026, 3, 23, 15, tzinfo=datetime.UTC), tick=False):
        warnings_evaluate(rules={RULE})
        assert not _open().exists()
    with time_machine.travel(datetime.datetime(2026, 3, 24, 2, tzinfo=datetime.UTC), tick=False):
        warnings_evaluate(rules={RULE})
        warnings_evaluate(rules={RULE})
        warning = _open().get()
        assert warning.district == "xuhui" and warning.subject_label == complaint.number
        complaint_close(
            complaint=complaint, acting_user=xuhui_regulator, outcome="not_upheld", reason="不属实"
        )
        result = warnings_evaluate(rules={RULE})
    assert result.closed == 1
    assert not _open().exists()
