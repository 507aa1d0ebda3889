"""Agency staff and a district regulator use the dashboards in Chromium, phone and desktop.

Both sign in through the real login form and pass the second factor with a
backup code (a StaticDevice token, as the demo prints).
"""

import pytest

from registry.models import District
from tests.dashboards.factories import Stage
from tests.lms.factories import give_backup_codes
from tests.registry.factories import AgencyFactory, AgencyStaffFactory, RegulatorFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery-staple"


def sign_in(page, base, username, code):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号或用户名").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_label("验证码").fill(code)
    page.locator("form:has(input[name=token]) button[type=submit]").click()
    page.wait_for_url("**/admin/**")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_agency_staff_sees_funnel_filters_expiring_and_exports(live_server, page, screenshot, size):
    if size == "desktop":
        page.set_viewport_size({"width": 1280, "height": 800})
    agency = AgencyFactory(district=District.XUHUI)
    stage = Stage(agency)
    expiring = stage.worker("expiring")
    for kind in ("filed", "approved", "enrolled", "certified"):
        stage.worker(kind)
    user = AgencyStaffFactory(agency=agency).user
    give_backup_codes(user, codes=("24681357",))
    sign_in(page, live_server.url, user.username, "24681357")

    page.goto(live_server.url + "/admin/")
    assert page.get_by_role("heading", name="认证进度漏斗").is_visible()
    assert page.locator("svg.dash-chart").first.is_visible()
    screenshot(f"dashboards-agency-home-{size}")

    page.goto(live_server.url + "/admin/dashboards/workers/?expiring_within=30")
    rows = page.locator("table.dash-report tbody tr")
    assert rows.count() == 1
    assert expiring.name in rows.first.inner_text()
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    screenshot(f"dashboards-report-expiring-{size}")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_district_regulator_drills_down_acknowledges_and_downloads(
    live_server, page, screenshot, size
):
    from dashboards import services
    from dashboards.models import SupervisionWarning

    if size == "desktop":
        page.set_viewport_size({"width": 1280, "height": 800})
    agency = AgencyFactory(district=District.XUHUI, name="徐汇示范家政公司")
    stage = Stage(agency)
    stage.worker("certified")
    stage.worker("approved")
    warning = SupervisionWarning.objects.create(
        rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS,
        subject_key=f"agency:{agency.pk}",
        subject_label=agency.name,
        district=District.XUHUI,
        agency=agency,
        facts={"90 天内投诉": 6},
    )
    from django.utils import timezone

    services.monthly_report_generate(month=timezone.localdate().replace(day=1))
    user = RegulatorFactory(district=District.XUHUI).user
    give_backup_codes(user, codes=("97531864",))
    sign_in(page, live_server.url, user.username, "97531864")

    page.goto(live_server.url + "/admin/dashboards/supervision/")
    page.wait_for_url("**/supervision/district/xuhui/")
    page.get_by_role("link", name=agency.name).first.click()
    page.wait_for_url(f"**/supervision/agency/{agency.pk}/")
    assert page.get_by_role("heading", name="认证进度漏斗").is_visible()
    screenshot(f"dashboards-regulator-agency-{size}")

    page.goto(live_server.url + f"/admin/dashboards/warnings/{warning.pk}/")
    page.get_by_role("button", name="确认预警").click()
    page.wait_for_load_state()
    warning.refresh_from_db()
    assert warning.status == "acknowledged"

    page.goto(live_server.url + "/admin/dashboards/reports/")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(f"dashboards-regulator-reports-{size}")
