"""The city's working days: weekends off, holidays off, make-up weekend days worked; the
holiday setting refuses what is not a date, in Chinese."""

import datetime

from django.core.exceptions import ValidationError

import pytest

from complaints.models import CityCalendar
from complaints.workdays import WorkingDays, city_working_days

pytestmark = pytest.mark.django_db


def test_after_skips_weekends_and_holidays_and_counts_makeup_days():
    calendar = WorkingDays(
        holidays=frozenset({datetime.date(2026, 10, d) for d in range(1, 8)}),
        extra_working_days=frozenset({datetime.date(2026, 10, 10)}),
    )
    assert calendar.after(datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 8)
    assert calendar.after(datetime.date(2026, 10, 9), 1) == datetime.date(2026, 10, 10)
    assert calendar.between(datetime.date(2026, 9, 30), datetime.date(2026, 10, 12)) == 4


def test_the_setting_is_read_and_ranges_expand():
    setting = CityCalendar.load()
    setting.holidays = "2027-01-01\n2027-02-06~2027-02-12"
    setting.extra_working_days = "2027-02-14"
    setting.full_clean()
    setting.save()
    calendar = city_working_days()
    assert len(calendar.holidays) == 8
    assert calendar.is_working_day(datetime.date(2027, 2, 14))
    assert not calendar.is_working_day(datetime.date(2027, 2, 8))


@pytest.mark.parametrize("text", ["2027-13-01", "明天", "2027-02-12~2027-02-06"])
def test_a_bad_entry_is_refused_with_a_chinese_message(text):
    setting = CityCalendar(holidays=text)
    with pytest.raises(ValidationError) as caught:
        setting.full_clean()
    assert "不是日期" in " ".join(caught.value.message_dict["holidays"])


def test_city_regulators_edit_the_holidays(client, login_staff, city_regulator):
    login_staff(client, city_regulator)
    response = client.get("/admin/settings/complaints/citycalendar/", follow=True)
    assert response.status_code == 200 and "法定节假日" in response.text
