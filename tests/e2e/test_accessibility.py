"""axe-core at 360×740 over every public, household and worker page, in normal and care mode.

GB/T 37668-2019 (close to WCAG 2.0 AA) through axe-core's rules: no serious or
critical violation anywhere a worker or a household goes. Each page is opened
once per mode in one browser context: the anonymous pages first, then the
worker's after signing in. The exam is started and handed in through its own
buttons, once per mode, so the attempt in progress and its result are checked
as the worker sees them.
"""

import logging
import time

import pytest

from tests.e2e.a11y import axe_violations, describe, set_care
from tests.e2e.a11y_site import build_site
from tests.e2e.steps import sign_in_worker

logger = logging.getLogger(__name__)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site():
    """The demo portal, and a worker with a course, an exam, certificates and a visit."""
    return build_site()


def public_paths(site) -> list[str]:
    news = "/news/"
    return [
        "/",
        news,
        "/faq/",
        "/guide-prices/",
        "/verify/",
        "/worker-lookup/",
        "/agency-credit/",
        "/search/?q=上门服务证",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/no-such-page/",
        site["course"].url,
        site["lesson"].url,
        # The household at the door.
        f"/v/{site['valid'].token}/",
        f"/v/{site['revoked'].token}/",
        f"/v/{site['expired'].token}/",
        "/v/no-such-token/",
        f"/v/{site['valid'].token}/confirm/",
        f"/v/rate/{site['rating_token']}/",
        # A household without a consent grant: the message and the masked page (#26).
        "/consent/record/",
        # Complaints (#29): by card number or credit code, from a visit, the status page.
        "/complaints/new/",
        f"/complaints/new/visit/{site['rating_token']}/",
        "/complaints/track/",
    ]


def worker_paths(site) -> list[str]:
    return [
        "/me/",
        site["course"].url,
        site["lesson"].url,
        "/me/exams/",
        f"/me/exams/{site['exam'].pk}/",
        "/me/certificates/",
        "/me/code/",
        "/me/record/",
        "/me/views/",
        "/me/phone/",
        "/accounts/password/",
    ]


def check(page, base, path, mode, found, visited):
    response = page.goto(base + path)
    assert response.status < 500, (path, response.status)
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    visited.append((mode, path))
    if violations:
        found.append(f"[{mode}] {path}\n{describe(violations)}")


def sit_exam(page, base, site, mode, found, visited):
    """Start the exam from its page, check the attempt in progress, hand it in, check the result."""
    page.goto(f"{base}/me/exams/{site['exam'].pk}/")
    page.get_by_role("button", name="开始考试").click()
    page.wait_for_url("**/me/exams/attempts/*/")
    page.locator("#q-1 .exam-choice").first.click()
    page.wait_for_selector("#exam-sync[data-state=ok]")
    check(page, base, page.url.removeprefix(base), mode, found, visited)
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确定交卷").click()
    page.wait_for_url("**/result/")
    check(page, base, page.url.removeprefix(base), mode, found, visited)


def test_no_serious_or_critical_axe_violation_on_any_page_in_either_mode(live_server, page, site):
    base = live_server.url
    found, visited = [], []
    started = time.monotonic()
    for on in (False, True):
        set_care(page, base, on)
        for path in public_paths(site):
            check(page, base, path, "care" if on else "normal", found, visited)
    sign_in_worker(page, base, site["worker"].user.phone)
    for on in (False, True):
        mode = "care" if on else "normal"
        set_care(page, base, on, "/me/")
        for path in worker_paths(site):
            check(page, base, path, mode, found, visited)
        sit_exam(page, base, site, mode, found, visited)
    logger.info("axe: %s page views in %.1f s", len(visited), time.monotonic() - started)
    assert len(visited) == 2 * (len(public_paths(site)) + len(worker_paths(site)) + 2)
    assert not found, "\n\n".join(found)
