"""Issue #21 item 17: at 360 px nothing runs off-screen without a cue.

The supervision district table, the progress report (with its 门店 filter)
and the worker's /me/record/ tabs fit the phone's width: wide tables scroll
inside their own box, which shows that it scrolls, and the worker's tabs wrap.
"""

from django.conf import settings
from django.test import Client

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from registry.models import District
from tests.dashboards.factories import Stage
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    BranchFactory,
    RegulatorFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTH = 360
FITS = "document.documentElement.scrollWidth"
# Every element whose right edge passes the viewport, except those inside a box that
# scrolls by itself (and says so with the dash-scroll cue).
OVERFLOWING = """
() => [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden'].includes(s.overflowX) && p !== document.body
            && p !== document.documentElement) return false;
    }
    return true;
}).map(el => el.tagName + '.' + el.className).slice(0, 10)
"""


def sign_in(page, base: str, user, *, staff: bool = True) -> None:
    """The browser carries a session signed in (past the second factor for staff): the
    layout is under test here, not the sign-in form."""
    client = Client()
    client.force_login(user)
    if staff:
        device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base}])


def assert_fits(page, name, screenshot):
    screenshot(f"phone-layout-{name}")
    assert page.evaluate(FITS) <= WIDTH, name
    assert page.evaluate(OVERFLOWING) == [], name


def test_supervision_district_table_fits_with_a_scroll_cue(live_server, page, screenshot):
    for district in (District.XUHUI, District.PUDONG):
        agency = AgencyFactory(district=district, name="上海长长长长的家政服务有限公司")
        Stage(agency).worker("certified")
    sign_in(page, live_server.url, RegulatorFactory(district="").user)
    page.goto(live_server.url + "/admin/dashboards/supervision/")
    assert_fits(page, "supervision-city", screenshot)
    page.goto(live_server.url + f"/admin/dashboards/supervision/district/{District.XUHUI}/")
    assert_fits(page, "supervision-district", screenshot)
    table_box = page.locator(".dash-scroll").first
    # The wide table scrolls inside its box, and the box says so.
    assert table_box.evaluate("el => el.scrollWidth > el.clientWidth")
    hint = table_box.evaluate("el => getComputedStyle(el, '::before').content")
    assert "左右滑动" in hint
    # Each column is wide enough to read (not crushed to a letter per line).
    widths = page.locator(".dash-scroll table th").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert min(widths) >= 40


def test_progress_report_and_branch_filter_fit(live_server, page, screenshot):
    agency = AgencyFactory(district=District.XUHUI)
    BranchFactory(agency=agency, name="徐家汇天钥桥路第一社区服务中心门店（长名称）")
    stage = Stage(agency)
    for kind in ("enrolled", "certified", "expired"):
        stage.worker(kind)
    sign_in(page, live_server.url, AgencyStaffFactory(agency=agency).user)
    page.goto(live_server.url + "/admin/dashboards/workers/")
    assert_fits(page, "staff-progress", screenshot)
    # The 门店 filter, in Wagtail's filter drawer, stays within the screen.
    page.locator("button.w-slim-header-action-button:has(svg.icon-sliders)").click()
    page.locator("button.w-drilldown__toggle").filter(has_text="门店").click()
    select = page.locator("select[name=branch]")
    select.wait_for(state="visible")
    box = select.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert_fits(page, "staff-progress-filters", screenshot)


def test_worker_record_tabs_are_all_on_screen(live_server, page, screenshot):
    worker = ApprovedWorkerFactory(user=WorkerUserFactory())
    sign_in(page, live_server.url, worker.user, staff=False)
    page.goto(live_server.url + "/me/record/")
    assert_fits(page, "me-record", screenshot)
    tab = page.get_by_role("link", name="我的档案")
    box = tab.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
