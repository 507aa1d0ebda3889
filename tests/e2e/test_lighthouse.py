"""Lighthouse's mobile accessibility score is at least 0.95 on representative pages, in both modes.

The household's verify page and an exam in progress, each as it is and in care
mode (``?care=1``), in one Chromium run of
benchmarks/lighthouse/run.mjs (Lighthouse from its lockfile, installed here with
``npm ci`` when missing). benchmarks/a11y_lighthouse.py scores every page;
axe-core checks every page in tests/e2e/test_accessibility.py. Without node
or npm the test is skipped with the reason, except in CI, where it fails.
"""

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import Client

import pytest

from cms.services import home_page_ensure
from tests.e2e.conftest import CHROMIUM
from tests.trust import factories as trust

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIGHTHOUSE = Path(settings.BASE_DIR) / "benchmarks" / "lighthouse"
INSTALLED = LIGHTHOUSE / "node_modules" / ".package-lock.json"
LOCKFILE = LIGHTHOUSE / "package-lock.json"
MINIMUM = 0.95


def _installed() -> bool:
    return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCKFILE.stat().st_mtime


@pytest.fixture(scope="session")
def node():
    """The node binary, with Lighthouse installed from its lockfile."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("node and npm are required in CI (.ci/run installs them)")
        pytest.skip("needs node and npm for Lighthouse")
    lock_path = Path(tempfile.gettempdir()) / f"lighthouse-npm-ci-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed():
            result = subprocess.run(  # noqa: S603 - npm with fixed arguments
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=LIGHTHOUSE,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if result.returncode != 0:
                pytest.fail(f"npm ci in benchmarks/lighthouse failed:\n{result.stderr}")
    return node


def test_lighthouse_accessibility_is_at_least_095_in_both_modes(live_server, node, sitter):
    worker, exam = sitter
    home_page_ensure()
    certificate = trust.certificate(worker)
    client = Client()
    client.force_login(worker.user)
    attempt_path = client.post(f"/me/exams/{exam.pk}/start/")["Location"]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"

    # The address, not "localhost": Chromium would try ::1 first, where the live server is not.
    base = live_server.url.replace("localhost", "127.0.0.1")
    pages = [(f"/v/{certificate.token}/", ""), (attempt_path, cookie)]
    jobs = [
        {"url": base + path + suffix, "cookie": session}
        for suffix in ("", "?care=1")
        for path, session in pages
    ]
    result = subprocess.run(  # noqa: S603 - node with our script
        [node, "run.mjs"],
        cwd=LIGHTHOUSE,
        input=json.dumps(jobs),
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    runs = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [run["url"] for run in runs] == [job["url"] for job in jobs]
    for run in runs:
        assert run["final"] == run["url"], run  # the page itself, not a sign-in redirect
        assert run["score"] is not None and run["score"] >= MINIMUM, run
