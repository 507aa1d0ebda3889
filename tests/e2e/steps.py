"""Steps several browser tests take the same way."""

from tests.lms.factories import PASSWORD


def sign_in_worker(page, base: str, username: str, next_path: str = "/me/") -> None:
    """Sign in on the login page (no second factor: a worker) and land on `next_path`."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("手机号或用户名").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + next_path)
