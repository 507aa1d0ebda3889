"""Working days (工作日) in Shanghai: Monday to Friday, minus the public holidays, plus
the weekend days worked in their place (调休), as editors keep them in the
``CityCalendar`` setting.

The one working-day calculator of the project: complaint deadlines count in it,
and so does the dashboards' filing-review rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class WorkingDays:
    """A calendar of working days: weekdays, less `holidays`, plus `extra_working_days`."""

    holidays: frozenset = field(default_factory=frozenset)
    extra_working_days: frozenset = field(default_factory=frozenset)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def after(self, day: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `day` (the day itself not counted):
        a complaint received on a Friday with 1 working day is due on Monday."""
        current = day
        remaining = days
        while remaining > 0:
            current += datetime.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def before(self, moment: datetime.datetime, days: int) -> datetime.datetime:
        """The moment `days` working days before `moment` (same time of day)."""
        current = moment
        remaining = days
        while remaining > 0:
            current -= datetime.timedelta(days=1)
            local = timezone.localtime(current) if timezone.is_aware(current) else current
            if self.is_working_day(local.date()):
                remaining -= 1
        return current

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
        count = 0
        current = start
        while current < end:
            current += datetime.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def city_working_days() -> WorkingDays:
    """The city's calendar as the editors keep it (one query)."""
    from .models import CityCalendar

    calendar = CityCalendar.load()
    return WorkingDays(
        holidays=calendar.holiday_dates(), extra_working_days=calendar.extra_working_dates()
    )
