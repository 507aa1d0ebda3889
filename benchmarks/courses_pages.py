"""Throughput of a lesson page and of "my learning" (/me/ with 20 enrolments), as ratios to the bare view.

    .venv/bin/python benchmarks/courses_pages.py [--seconds 8] [--clients 4]

Builds a scratch SQLite database in a temporary directory (or uses
``DATABASE_URL`` when set: a scratch database, never production), fills it
with one course of six text lessons and a worker enrolled in 20 courses, then
serves the project with gunicorn on loopback (benchmarks/harness.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import base_env, log, measure, migrate_and_run, ratio_report, serve  # noqa: E402

SETUP = r"""
import json
import sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory, mark_lesson_completed
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import WorkerFactory
from courses import services

index = CourseIndexPageFactory()
user = WorkerUserFactory()
worker = WorkerFactory(user=user)
lesson_url = None
for number in range(20):
    course = CoursePageFactory(parent=index)
    lessons = LessonPageFactory.create_batch(6 if number == 0 else 3, parent=course)
    enrolment = services.enrolment_create(worker=worker, course=course)
    mark_lesson_completed(enrolment, lessons[0])
    if number == 0:
        lesson_url = lessons[1].url
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "lms.accounts.backends.PhoneOrUsernameBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
sys.stdout.write(json.dumps({"lesson": lesson_url, "session": session.session_key}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="courses-bench-") as tmp:
        extra = {"MEDIA_ROOT": str(Path(tmp) / "media")}
        if not os.environ.get("DATABASE_URL"):
            extra["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        env = base_env(**extra)
        data = migrate_and_run(env, SETUP)
        cookie = {"Cookie": f"sessionid={data['session']}"}
        with serve(env=extra) as base:
            measure(base + "/health/live", seconds=1, clients=1)  # warm up
            bare = measure(base + "/health/live", seconds=args.seconds, clients=args.clients)
            lesson = measure(base + data["lesson"], seconds=args.seconds, clients=args.clients)
            lesson_worker = measure(
                base + data["lesson"], seconds=args.seconds, clients=args.clients, headers=cookie
            )
            mine = measure(
                base + "/me/", seconds=args.seconds, clients=args.clients, headers=cookie
            )
        log.info(ratio_report("lesson page, anonymous", lesson, bare))
        log.info(
            ratio_report("lesson page, enrolled worker (records the visit)", lesson_worker, bare)
        )
        log.info(ratio_report("my learning, 20 enrolments", mine, bare))


if __name__ == "__main__":
    main()
