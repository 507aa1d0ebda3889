"""Demo data of the dashboards (runs last in ``seed_demo``); idempotent.

Builds on what the lower apps' demos made (agencies, workers in every state,
enrolments, attempts, certificates): gives the demo regulators their scope,
a few months of trend snapshots, an open warning of every rule and one
monthly report.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from registry.models import Agency, District, Worker
from registry.selectors.access import agency_staff_for_user, regulator_profile_for_user
from registry.services.staff import agency_staff_assign, regulator_profile_set

from . import rules, services
from .models import DistrictSnapshot, MonthlyReport, SupervisionWarning
from .selectors import figures

#: Months of history drawn for the trend charts (the demo has no real past).
HISTORY_MONTHS = 5


def _regulators(ctx, district: str) -> None:
    city = ctx.users.get("city_regulator")
    if city is not None and regulator_profile_for_user(city) is None:
        regulator_profile_set(user=city, district="")
    local = ctx.users.get("district_regulator")
    if local is not None and regulator_profile_for_user(local) is None:
        regulator_profile_set(user=local, district=district)


def _agency_staff(ctx, agency) -> None:
    staff = ctx.users.get("agency_staff")
    if staff is not None and agency is not None and agency_staff_for_user(staff) is None:
        agency_staff_assign(user=staff, agency=agency)


def _history(today: datetime.date) -> int:
    """Month-end snapshots for the last months, scaled down from today's figures, so the
    trend charts have a shape. Existing rows are left as they are."""
    services.snapshot_take(date=today)
    current = {s.district: s.figures for s in DistrictSnapshot.objects.filter(date=today)}
    made = 0
    month_end = today.replace(day=1) - datetime.timedelta(days=1)
    for step in range(HISTORY_MONTHS):
        share = (HISTORY_MONTHS - step) / (HISTORY_MONTHS + 1)
        for district, values in current.items():
            _row, created = DistrictSnapshot.objects.get_or_create(
                date=month_end,
                district=district,
                defaults={"figures": {k: int(v * share) for k, v in values.items()}},
            )
            made += created
        month_end = month_end.replace(day=1) - datetime.timedelta(days=1)
    return made


def _warnings(district: str, agency) -> None:
    """Run the real rules; for any rule the demo data does not trigger, open one
    clearly marked demonstration warning so every rule can be seen in the queue."""
    rules.warnings_evaluate()
    for rule, label in SupervisionWarning.Rule.choices:
        if SupervisionWarning.objects.filter(
            rule=rule, status__in=["open", "acknowledged"]
        ).exists():
            continue
        services.warning_raise(
            finding=rules.Finding(
                rule=rule,
                subject_key=f"demo:{rule}",
                subject_label=f"演示预警：{label}",
                district=district,
                agency_id=agency.pk if agency else None,
                facts={"说明": "演示数据，用于展示预警处理流程。"},
            )
        )


def seed(ctx) -> None:
    agency = ctx.data.get("demo_agency") or Agency.objects.order_by("pk").first()
    district = agency.district if agency else District.XUHUI
    _regulators(ctx, district)
    _agency_staff(ctx, agency)
    today = timezone.localdate()
    made = _history(today)
    ctx.say(f"dashboards: {made} trend snapshots added")
    _warnings(district, agency)
    month = figures.previous_month(today)
    if not MonthlyReport.objects.filter(month=month).exists():
        services.monthly_report_generate(month=month)
    workers = Worker.objects.aggregate(n=Count("pk"))["n"]
    ctx.say(f"dashboards: {workers} workers in the statistics, monthly report {month:%Y-%m}")
    base = settings.SITE_URL
    ctx.urls.append(("企业工作台（agency 登录）", f"{base}/admin/"))
    ctx.urls.append(("员工认证进度", f"{base}/admin/dashboards/workers/"))
    ctx.urls.append(("监管统计（city / district 登录）", f"{base}/admin/dashboards/supervision/"))
    ctx.urls.append(("预警", f"{base}/admin/dashboards/warnings/"))
    ctx.urls.append(("监管月报", f"{base}/admin/dashboards/reports/"))
