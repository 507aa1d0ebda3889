"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Every page is opened at phone size (360×740) unless a test asks otherwise;
screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.courses.factories import EnrolmentFactory
from tests.exams.factories import ExamFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# made by the test itself (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    missing = not Path(CHROMIUM).exists()
    if missing and os.environ.get("CI"):
        raise pytest.UsageError(f"Chromium is required in CI at {CHROMIUM} (.ci/run installs it).")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "locale": "zh-CN"}


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(page, artifacts):
    """screenshot("name") saves the current page as test-artifacts/name.png."""

    def _shot(name: str):
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def desktop(page):
    page.set_viewport_size(DESKTOP)
    return page


def _clean_artifacts():  # pragma: no cover - manual helper
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture
def sitter():
    """(worker, exam): a filed worker enrolled in the exam's course, questions in a fixed order."""
    exam = ExamFactory(title="上门服务证考核", shuffle_questions=False, shuffle_choices=False)
    worker = ApprovedWorkerFactory(user=WorkerUserFactory())
    EnrolmentFactory(worker=worker, course=exam.course)
    return worker, exam
