"""Shared set-up of the dashboards benchmarks (issues #10 and #11).

Not a benchmark itself: ``dashboards_agency.py`` and ``dashboards_supervision.py``
import it. It works on a **scratch** PostgreSQL database that already holds a
``seed_scale`` population and the ``seed_demo`` content (courses, the exam, the
certificate type, the demo agency):

* ``fill()`` adds the rows that ``seed_scale`` does not make, in set-based SQL,
  deterministically from the worker id: enrolments (≈ 60 % of workers), course
  completions, graded attempts (a second one for some who failed), certificates
  (valid, expiring, expired, a few revoked), credit records (complaints,
  commendations, blacklistings), open employments, filings waiting for review
  and returned ones. Attempts of the last 7 days get questions and answers, so
  the identical-answers rule has real input. Runs once (marker: certificates
  numbered ``BENCH…``).
* ``agency_of_size()`` moves scale workers into the demo agency until it has
  exactly the wanted number (and fills lesson progress for them).
* ``bench_user()`` creates a staff login with a verified static second factor.
* ``Session`` signs in through ``/accounts/login/`` and ``/accounts/2fa/`` and
  gives the ``Cookie`` header for ``harness.measure``.
* ``measure_pages()`` measures signed-in pages beside the bare view, and
  ``log_p95()`` reports them against a p95 target.

Loopback only: the database URL must point at 127.0.0.1 / localhost.
"""

# ruff: noqa: S608 -- set-based fill SQL built from integers and constants, no user input
from __future__ import annotations

import http.client
import os
import re
import sys
import urllib.parse
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import Result, base_env, log, measure, ratio_report  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "bench-Passw0rd!"
MARKER = "BENCH"


def database_url_from_env() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database (loopback).")
    if urlsplit(url).hostname not in LOOPBACK:
        raise SystemExit("DATABASE_URL must point at a loopback host.")
    return url


def setup_django(database_url: str) -> None:
    """Configure Django in this process with the same settings the server gets."""
    os.environ.update(base_env(DATABASE_URL=database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.chdir(Path(__file__).resolve().parents[1])
    import django

    django.setup()


# --- data ----------------------------------------------------------------------------------


def _ids() -> dict:
    from certificates.models import CertificateType
    from courses.models import CoursePage, LessonPage
    from exams.models import Exam, Question

    exam = Exam.objects.filter(course__isnull=False).order_by("pk").first()
    if exam is None:
        raise SystemExit("No exam found: run `manage.py seed_demo` on this database first.")
    course = CoursePage.objects.get(pk=exam.course_id)
    ctype = CertificateType.objects.filter(exam=exam).first() or CertificateType.objects.first()
    lessons = list(
        LessonPage.objects.child_of(course).live().order_by("path").values_list("pk", flat=True)
    )
    questions = list(
        Question.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)[:10]
    )
    return {
        "course": course.pk,
        "exam": exam.pk,
        "type": ctype.pk,
        "validity_days": ctype.validity_months * 30,
        "lessons": lessons,
        "questions": questions,
    }


def _h(salt: str, column: str = "w.id", modulo: int = 100) -> str:
    """A deterministic pseudo-random number in [0, modulo) from a row id."""
    return f"(abs(hashtext('{salt}' || {column}::text)) % {modulo})"


def fill(*, say=print) -> None:
    """Add enrolments, attempts, certificates, credit and employment rows (once)."""
    import time

    from django.db import connection, transaction

    from certificates.models import Certificate

    if Certificate.objects.filter(number__startswith=MARKER).exists():
        say("fill: already done")
        return
    ids = _ids()
    steps = [
        (
            "enrolments",
            f"""
            INSERT INTO courses_enrolment (worker_id, course_id, enrolled_at, completed_at,
                                           last_activity_at)
            SELECT w.id, {ids["course"]}, e.at,
                   CASE WHEN {_h("c")} < 60 AND e.at < now() - interval '21 days'
                        THEN e.at + interval '20 days' END,
                   e.at + interval '1 day'
            FROM registry_worker w
            CROSS JOIN LATERAL (SELECT now() - ({_h("d", modulo=400)} || ' days')::interval
                                         - ({_h("m", modulo=1440)} || ' minutes')::interval AS at) e
            WHERE {_h("e")} < 60
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "first attempts",
            f"""
            INSERT INTO exams_attempt (exam_id, worker_id, number, status, started_at, deadline,
                                       submitted_at, auto_submitted, score, max_score, passed,
                                       client_ip)
            SELECT {ids["exam"]}, e.worker_id, 1, 'graded', s.at - interval '40 minutes',
                   s.at + interval '20 minutes', s.at, false,
                   CASE WHEN {_h("p", "e.id")} < 75 THEN 80 + {_h("s", "e.id", 21)}
                        ELSE 40 + {_h("s", "e.id", 20)} END,
                   100, {_h("p", "e.id")} < 75,
                   ('10.' || {_h("i1", "e.id", 200)} || '.' || {_h("i2", "e.id", 250)} || '.'
                    || {_h("i3", "e.id", 250)})::inet
            FROM courses_enrolment e
            CROSS JOIN LATERAL (SELECT LEAST(e.completed_at + interval '2 days',
                                             now() - interval '1 hour') AS at) s
            WHERE e.completed_at IS NOT NULL AND e.course_id = {ids["course"]}
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "second attempts",
            f"""
            INSERT INTO exams_attempt (exam_id, worker_id, number, status, started_at, deadline,
                                       submitted_at, auto_submitted, score, max_score, passed,
                                       client_ip)
            SELECT a.exam_id, a.worker_id, 2, 'graded', a.started_at + interval '10 minutes',
                   a.deadline + interval '10 minutes', a.submitted_at + interval '10 minutes',
                   false, 85, 100, true, a.client_ip
            FROM exams_attempt a
            WHERE a.number = 1 AND a.passed = false AND {_h("r", "a.id")} < 60
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "certificates",
            f"""
            INSERT INTO certificates_certificate (number, token, card_number, issued_on,
                expires_on, revision, revoked_at, revoked_reason, pdf, pdf_revision, created_at,
                agency_id, attempt_id, worker_id, type_id, card_pdf, origin)
            SELECT '{MARKER}' || lpad(a.id::text, 10, '0'), md5('bench' || a.id::text),
                   coalesce(w.card_number, ''), i.on_, i.on_ + {ids["validity_days"]},
                   1,
                   CASE WHEN {_h("v", "a.id")} < 1 THEN now() - interval '3 days' END,
                   '', '', '', now(), w.agency_id, a.id, a.worker_id, {ids["type"]}, '', 'issue'
            FROM exams_attempt a
            JOIN registry_worker w ON w.id = a.worker_id
            CROSS JOIN LATERAL (SELECT (current_date - {_h("o", "a.id", 1300)})::date AS on_) i
            WHERE a.passed = true
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "recent answers",
            f"""
            WITH q AS (
                SELECT id, row_number() OVER (ORDER BY id) AS pos
                FROM exams_question WHERE id = ANY(ARRAY{ids["questions"] or [0]}::bigint[])
            )
            INSERT INTO exams_attemptquestion (attempt_id, question_id, position, type, stem,
                image_url, choices, correct, explanation, points)
            SELECT a.id, q.id, q.pos, 'single', '', '', '["A","B","C","D"]', '[0]', '', 10
            FROM exams_attempt a CROSS JOIN q
            WHERE a.submitted_at >= now() - interval '7 days'
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "answers",
            f"""
            INSERT INTO exams_answer (attempt_question_id, selected, seq, saved_at, score,
                                      is_correct)
            SELECT aq.id, jsonb_build_array({_h("a", "aq.id", 4)}), 1, now(),
                   CASE WHEN {_h("a", "aq.id", 4)} = 0 THEN 10 ELSE 0 END,
                   {_h("a", "aq.id", 4)} = 0
            FROM exams_attemptquestion aq
            JOIN exams_attempt a ON a.id = aq.attempt_id
            WHERE a.submitted_at >= now() - interval '7 days'
            ON CONFLICT DO NOTHING
            """,
        ),
        (
            "worker credit records",
            f"""
            INSERT INTO registry_creditrecord (kind, source, occurred_on, description, is_public,
                                               expires_on, created_at, worker_id)
            SELECT CASE WHEN {_h("k")} < 10 THEN 'blacklist'
                        WHEN {_h("k")} < 55 THEN 'complaint'
                        WHEN {_h("k")} < 70 THEN 'violation'
                        ELSE 'commendation' END,
                   'bench', current_date - {_h("cd", modulo=400)}, '基准测试记录', true, NULL,
                   now(), w.id
            FROM registry_worker w
            WHERE {_h("cr", modulo=1000)} < 25
            """,
        ),
        (
            "agency complaints",
            f"""
            INSERT INTO registry_creditrecord (kind, source, occurred_on, description, is_public,
                                               expires_on, created_at, agency_id)
            SELECT 'complaint', 'bench', current_date - (g % 80), '基准测试投诉', true, NULL,
                   now(), a.id
            FROM registry_agency a CROSS JOIN generate_series(1, 6) g
            WHERE {_h("ac", "a.id", 20)} = 0
            """,
        ),
        (
            "open employments",
            f"""
            INSERT INTO registry_employment (worker_id, agency_id, branch_id, start_date)
            SELECT w.id, w.agency_id, w.branch_id, current_date - {_h("sd", modulo=700)}
            FROM registry_worker w
            WHERE w.agency_id IS NOT NULL AND {_h("em")} < 30
              AND NOT EXISTS (SELECT 1 FROM registry_employment x
                              WHERE x.worker_id = w.id AND x.end_date IS NULL)
            """,
        ),
        (
            "filings waiting / returned",
            f"""
            UPDATE registry_filing f
            SET status = CASE WHEN {_h("fs", "f.id", 10)} < 7 THEN 'submitted' ELSE 'returned' END,
                reason = CASE WHEN {_h("fs", "f.id", 10)} < 7 THEN '' ELSE '请补充体检报告' END,
                submitted_at = now() - ({_h("fd", "f.id", 40)} || ' days')::interval,
                reviewed_at = NULL
            WHERE f.worker_id IS NOT NULL AND f.status = 'approved'
              AND {_h("fl", "f.id", 1000)} < 8
            """,
        ),
    ]
    for name, sql in steps:
        start = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            say(f"fill: {name}: {cursor.rowcount} rows ({time.monotonic() - start:.1f}s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def agency_of_size(size: int, *, say=print):
    """The demo agency (of the demo `agency` login), with exactly `size` workers."""
    from django.db import connection, transaction

    from registry.models import AgencyStaff, Branch, Worker

    membership = (
        AgencyStaff.objects.filter(user__username="agency").select_related("agency").first()
    )
    if membership is None:
        raise SystemExit("No demo agency: run `manage.py seed_demo` on this database first.")
    agency = membership.agency
    have = Worker.objects.filter(agency=agency).count()
    if have < size:
        branches = list(Branch.objects.filter(agency=agency).values_list("pk", flat=True))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE registry_worker w SET agency_id = %s,
                    branch_id = (%s::bigint[])[1 + w.id %% greatest(cardinality(%s::bigint[]), 1)]
                WHERE w.id IN (SELECT id FROM registry_worker
                               WHERE agency_id <> %s AND card_number LIKE 'SHJZ%%'
                               ORDER BY id DESC LIMIT %s)
                """,
                [agency.pk, branches, branches, agency.pk, size - have],
            )
            cursor.execute(
                "UPDATE certificates_certificate c SET agency_id = w.agency_id"
                " FROM registry_worker w WHERE c.worker_id = w.id AND w.agency_id = %s",
                [agency.pk],
            )
            cursor.execute(
                "UPDATE registry_employment e SET agency_id = w.agency_id, branch_id = w.branch_id"
                " FROM registry_worker w WHERE e.worker_id = w.id AND e.end_date IS NULL"
                " AND w.agency_id = %s",
                [agency.pk],
            )
            cursor.execute("ANALYZE registry_worker")
        say(f"agency: moved {size - have} workers into {agency.name}")
    elif have > size:
        say(f"agency: {agency.name} has {have} workers (more than {size})")
    _lesson_progress(agency.pk, say=say)
    return agency, Worker.objects.filter(agency=agency).count()


def _lesson_progress(agency_id: int, *, say=print) -> None:
    from django.db import connection, transaction

    ids = _ids()
    lessons = ids["lessons"]
    if not lessons:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO courses_lessonprogress (enrolment_id, lesson_id, started_at, completed_at,
                time_spent_seconds, video_seconds_watched, video_ranges, last_seen_at)
            SELECT e.id, l.id, e.enrolled_at,
                   CASE WHEN e.completed_at IS NOT NULL
                          OR l.pos <= {_h("lp", "e.id", len(lessons) + 1).replace("%", "%%")}
                        THEN e.enrolled_at + interval '1 day' END,
                   600, 300, '[]', e.enrolled_at + interval '1 day'
            FROM courses_enrolment e
            JOIN registry_worker w ON w.id = e.worker_id
            CROSS JOIN (SELECT id, row_number() OVER (ORDER BY x.ord) AS pos
                        FROM unnest(%s::int[]) WITH ORDINALITY AS x(id, ord)) l
            WHERE w.agency_id = %s
            ON CONFLICT DO NOTHING
            """,
            [lessons, agency_id],
        )
        say(f"agency: {cursor.rowcount} lesson progress rows added")


def bench_user(username: str, *, agency=None, role: str | None = None) -> tuple[str, list[str]]:
    """A staff login with a password and fresh static backup codes (second factor)."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from registry.models import AgencyStaff

    User = get_user_model()
    user, _created = User.objects.get_or_create(username=username)
    user.is_staff = True
    user.is_active = True
    if hasattr(user, "name"):
        user.name = username
    user.set_password(PASSWORD)
    user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    if agency is not None:
        AgencyStaff.objects.update_or_create(user=user, defaults={"agency": agency, "branch": None})
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(3)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return username, codes


# --- signing in over HTTP --------------------------------------------------------------------


class Session:
    """A loopback HTTP client that keeps cookies itself (the production settings mark
    them Secure, which a cookie jar would not send over plain http) and signs in
    with the second factor."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port

    def _csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise RuntimeError("no CSRF token in the form")
        return match.group(1)

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple:
        """One request, following redirects; returns (status, body, final path)."""
        for _hop in range(10):
            conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            headers = {"Cookie": self.cookie_header()["Cookie"], "Referer": self.base + path}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    key, _sep, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            conn.close()
            if resp.status in (301, 302, 303) and resp.getheader("Location"):
                location = urlsplit(resp.getheader("Location"))
                path = location.path + (f"?{location.query}" if location.query else "")
                method, body = "GET", None
                continue
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {resp.status}")
            return resp.status, data, path
        raise RuntimeError("too many redirects")

    def get(self, path: str) -> tuple[int, bytes, str]:
        return self._request("GET", path)

    def post(self, path: str, data: dict) -> tuple[int, bytes, str]:
        return self._request("POST", path, urllib.parse.urlencode(data).encode())

    def sign_in(self, username: str, password: str, code: str) -> None:
        _status, html, _path = self.get("/accounts/login/")
        self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": self._csrf(html.decode()),
                "username": username,
                "password": password,
            },
        )
        _status, html, _path = self.get("/accounts/2fa/")
        self.post(
            "/accounts/2fa/",
            {"csrfmiddlewaretoken": self._csrf(html.decode()), "token": code},
        )
        _status, _body, final = self.get("/admin/")
        if not final.startswith("/admin/"):
            raise RuntimeError(f"sign-in did not reach the admin (ended at {final})")

    def cookie_header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


if __name__ == "__main__":
    # A helper module, not a benchmark: `--help` (or anything) prints what it does.
    log.info(__doc__)


# --- measuring signed-in pages ---------------------------------------------------------------


def measure_pages(
    base: str, headers: dict, pages: dict[str, str], *, seconds: float, clients: int
) -> tuple[Result, dict[str, Result]]:
    """Warm up, then measure the bare view and each of `pages` (name → path) with the
    signed-in `headers`; returns (bare, results by name)."""
    for path in ["/health/live", *pages.values()]:  # warm up
        measure(base + path, seconds=1, clients=1, headers=headers)
    bare = measure(base + "/health/live", seconds=seconds, clients=clients)
    results = {
        name: measure(base + path, seconds=seconds, clients=clients, headers=headers)
        for name, path in pages.items()
    }
    return bare, results


def log_p95(results: dict[str, Result], bare: Result, target_ms: float) -> None:
    """Log each result as a ratio to the bare view, then whether its p95 met `target_ms`."""
    log.info("")
    for name, result in results.items():
        log.info(ratio_report(name, result, bare))
    for name, result in results.items():
        ok = result.p95_ms <= target_ms and not result.errors
        log.info(
            f"{name}: p95 {result.p95_ms:.0f} ms, target ≤ {target_ms} ms: "
            f"{'met' if ok else 'NOT met'}"
        )
