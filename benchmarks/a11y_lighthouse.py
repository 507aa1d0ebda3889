"""Lighthouse accessibility scores (mobile) of every public, household and worker page, normal and care mode.

    (cd benchmarks/lighthouse && npm ci)   # once: Lighthouse from the lockfile
    CHROME_PATH=/usr/bin/chromium .venv/bin/python benchmarks/a11y_lighthouse.py [--min 0.95]

Builds a scratch SQLite database in a temporary directory (or uses
``DATABASE_URL`` when set: a scratch database, never production) with the demo
portal, a worker with a course, an exam (one attempt handed in, one in
progress), certificates valid / revoked / expired and a confirmed visit; serves
the project with gunicorn on loopback (benchmarks/harness.py), and runs
Lighthouse's accessibility category on each page twice: as it is, and with
``?care=1`` (the address form the care mode's head script respects). The
worker's pages are opened with the worker's session cookie. Prints one line per
page and mode, and exits 1 when any score is below ``--min``. Answers that are
404s (an unknown page, an unknown certificate) are left to axe: Lighthouse
refuses to audit an error status. The numbers are
recorded in docs/performance.md; the test gate is axe-core
(tests/e2e/test_accessibility.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, base_env, log, serve  # noqa: E402

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse"

SETUP = r"""
import json
import sys

import django

django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from tests.e2e.a11y_site import build_site

site = build_site()
exam, lesson, worker = site["exam"], site["lesson"], site["worker"]
valid, revoked, expired = site["valid"], site["revoked"], site["expired"]
rating_token = site["rating_token"]

# The exam through its own pages: one attempt handed in (its result), one in progress.
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(worker.user)
finished = client.post(f"/me/exams/{exam.pk}/start/")["Location"]
client.post(finished + "submit/")
in_progress = client.post(f"/me/exams/{exam.pk}/start/")["Location"]

session = SessionStore()
session[SESSION_KEY] = str(worker.user.pk)
session[BACKEND_SESSION_KEY] = "lms.accounts.backends.PhoneOrUsernameBackend"
session[HASH_SESSION_KEY] = worker.user.get_session_auth_hash()
session.create()
public = [
    "/", "/news/", "/faq/", "/guide-prices/", "/verify/", "/worker-lookup/", "/agency-credit/",
    "/search/?q=上门服务证", "/accounts/login/", "/accounts/password/reset/",
    exam.course.url, lesson.url,
    f"/v/{valid.token}/", f"/v/{revoked.token}/", f"/v/{expired.token}/",
    f"/v/{valid.token}/confirm/", f"/v/rate/{rating_token}/",
]
mine = [
    "/me/", "/me/exams/", f"/me/exams/{exam.pk}/", in_progress, finished + "result/",
    "/me/certificates/", "/me/code/", "/me/record/", "/me/phone/", "/accounts/password/",
]
sys.stdout.write(json.dumps({"public": public, "worker": mine, "session": session.session_key}))
"""


def prepare(env: dict) -> dict:
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [PYTHON, "-c", SETUP],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def with_care(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "care=1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=0.95, help="lowest acceptable score")
    args = parser.parse_args()
    node = shutil.which("node")
    if not node or not (LIGHTHOUSE / "node_modules" / "lighthouse").is_dir():
        log.info("skipped: needs node and `npm ci` in benchmarks/lighthouse")
        return 0
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")

    with tempfile.TemporaryDirectory(prefix="a11y-bench-") as tmp:
        extra = {"MEDIA_ROOT": str(Path(tmp) / "media"), "STATIC_ROOT": str(Path(tmp) / "static")}
        if not os.environ.get("DATABASE_URL"):
            extra["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        env = base_env(**extra, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
        pages = prepare(env)
        cookie = f"sessionid={pages['session']}"
        with serve(env=extra) as base:
            jobs = []
            for care in (False, True):
                for group, path in [("public", p) for p in pages["public"]] + [
                    ("worker", p) for p in pages["worker"]
                ]:
                    url = base + quote(with_care(path) if care else path, safe="/?=&")
                    jobs.append({"url": url, "cookie": cookie if group == "worker" else ""})
            out = subprocess.run(
                [node, "run.mjs"],
                cwd=LIGHTHOUSE,
                input=json.dumps(jobs),
                env={**os.environ, "CHROME_PATH": chrome},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    low = []
    for result in results:
        path = result["url"].split("/", 3)[3]
        mode = "care" if "care=1" in path else "normal"
        path = "/" + unquote(path.replace("?care=1", "").replace("&care=1", ""))
        score = "—" if result["score"] is None else f"{result['score']:.2f}"
        log.info(
            f"{score:4}  {mode:6}  {path}  {' '.join(result['failed'])} {result['error'] or ''}"
        )
        if result["final"] != result["url"]:
            log.info(f"      redirected to {result['final']}: not the page asked for")
            low.append(result)
        elif result["score"] is None or result["score"] < args.min:
            low.append(result)
    scores = [r["score"] for r in results if r["score"] is not None]
    log.info(
        f"{len(results)} runs, lowest {min(scores):.2f}, mean {sum(scores) / len(scores):.3f}; "
        f"{len(low)} below {args.min}"
    )
    return 1 if low or len(results) != len(jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
