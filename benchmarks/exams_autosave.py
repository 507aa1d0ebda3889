"""Exam autosave under load: 500 workers autosaving, all submitting in the last 10 seconds.

On a scratch PostgreSQL database served by gunicorn, in one run:

1. the bare view ``/health/live`` and the autosave endpoint, each closed-loop
   for 10 s (the throughput ratio, target ≥ 0.3×);
2. a locust run of `--users` simulated workers: start the attempt, autosave
   one answer per think time (10–30 s), submit at a random moment in the last
   10 s (save, submit p95);
3. a database check: every acknowledged save is stored, every attempt has
   exactly one graded result, and no request failed with a server error.

    createdb -h 127.0.0.1 -U postgres bench_exams   # or let --recreate do it
    .venv/bin/python benchmarks/exams_autosave.py --users 500
    .venv/bin/python benchmarks/exams_autosave.py --throughput-only   # step 1 alone

Loopback only; bounded by --run-seconds (default 150 s of locust). Celery
messages go to the Redis database given by --redis-db (never consumed here)
so that a passing submit does not render a certificate in the request.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import PYTHON, ROOT, fan_out, log, measure, p50_p95, serve  # noqa: E402

EXAM_TITLE = "基准测试考试"
CALIBRATION_WORKERS = 4


# ---------------------------------------------------------------------------
# Phases that run inside Django (as subprocesses with the benchmark's env)


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def phase_seed(users: int, out: str) -> None:
    """Workers with logins and sessions, one exam; calibration workers with started attempts."""
    _django()
    import secrets
    from datetime import date

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from wagtail.models import Page

    from courses.models import CoursePage
    from exams import selectors, services
    from exams.models import DrawRule, Exam, Question, QuestionCategory
    from lms.crypto import encrypt, lookup_hash
    from registry.models import Worker

    User = get_user_model()
    root = Page.get_first_root_node()
    course = CoursePage.objects.filter(slug="bench-course").first()
    if course is None:
        course = root.add_child(instance=CoursePage(title="基准测试课程", slug="bench-course"))
    category, _ = QuestionCategory.objects.get_or_create(name="基准测试")
    if not category.questions.exists():
        Question.objects.bulk_create(
            Question(
                category=category,
                type="single",
                stem=f"基准测试第 {i} 题：上门服务前应当怎样做？",
                choices=[{"key": k, "text": f"选项 {k}"} for k in "ABCD"],
                correct=[random.choice("ABCD")],
                explanation="基准测试",
            )
            for i in range(40)
        )
    exam, _ = Exam.objects.update_or_create(
        title=EXAM_TITLE,
        defaults={
            "course": course,
            "time_limit_minutes": 60,
            "pass_mark": 80,
            "attempts_allowed": 1,
            "require_course_completed": False,
            "require_filing_approved": False,
        },
    )
    DrawRule.objects.update_or_create(
        exam=exam, category=category, defaults={"count": 20, "points": 5, "sort_order": 0}
    )

    total = users + CALIBRATION_WORKERS
    password = make_password("bench-password")
    existing = User.objects.filter(username__startswith="bench-").count()
    User.objects.bulk_create(
        [
            User(username=f"bench-{i:05d}", name=f"测试{i}", password=password)
            for i in range(existing, total)
        ]
    )
    accounts = list(User.objects.filter(username__startswith="bench-").order_by("username")[:total])
    have = set(Worker.objects.filter(user__in=accounts).values_list("user_id", flat=True))
    workers = []
    for i, user in enumerate(accounts):
        if user.pk in have:
            continue
        number = f"31010119900101{i:04d}"
        workers.append(
            Worker(
                name=f"测试{i}",
                id_number_encrypted=encrypt(number),
                id_number_hash=lookup_hash(number),
                id_last4=number[-4:],
                birth_date=date(1990, 1, 1),
                sex="F",
                user=user,
            )
        )
    Worker.objects.bulk_create(workers)

    sessions = []
    for user in accounts:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "lms.accounts.backends.PhoneOrUsernameBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(
            {"session": store.session_key, "csrf": secrets.token_hex(16), "exam": exam.pk}
        )

    # The calibration workers' attempts are started here; the locust workers start their own.
    calibration = []
    for me, user in zip(sessions[users:], accounts[users:], strict=True):
        attempt, _ = services.attempt_start(exam=exam, worker=user.worker)
        # Saves go on from the highest stored sequence number (a resumed attempt has some).
        seq = selectors.attempt_max_seq(attempt)
        calibration.append({**me, "attempt": attempt.pk, "seq": seq})
    Path(out).write_text(
        json.dumps({"locust": sessions[:users], "calibration": calibration, "exam": exam.pk}),
        encoding="utf-8",
    )


def phase_verify(acks_path: str, sessions_path: str, out: str) -> None:
    """Check every acknowledged save is stored and every attempt has exactly one result."""
    _django()
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from wagtail.models import ModelLogEntry

    from exams.models import Answer, Attempt

    seeded = json.loads(Path(sessions_path).read_text(encoding="utf-8"))
    calibration_ids = {c["attempt"] for c in seeded["calibration"]}
    acked: dict[tuple[int, int], dict] = {}
    for line in Path(acks_path).read_text(encoding="utf-8").splitlines():
        ack = json.loads(line)
        key = (ack["attempt"], ack["position"])
        if key not in acked or ack["seq"] > acked[key]["seq"]:
            acked[key] = ack
    stored = {
        (a["attempt_question__attempt_id"], a["attempt_question__position"]): a
        for a in Answer.objects.filter(
            attempt_question__attempt_id__in={k[0] for k in acked}
        ).values("attempt_question__attempt_id", "attempt_question__position", "seq", "selected")
    }
    missing = [
        key
        for key, ack in acked.items()
        if key not in stored
        or stored[key]["seq"] < ack["seq"]
        or (
            stored[key]["seq"] == ack["seq"]
            and sorted(stored[key]["selected"]) != sorted(ack["selected"])
        )
    ]
    attempts = Attempt.objects.filter(exam_id=seeded["exam"]).exclude(pk__in=calibration_ids)
    by_status = dict(
        attempts.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    content_type = ContentType.objects.get_for_model(Attempt)
    grades = dict(
        ModelLogEntry.objects.filter(
            content_type=content_type,
            action__in=["exams.attempt_submit", "exams.attempt_auto_submit"],
            object_id__in=[str(pk) for pk in attempts.values_list("pk", flat=True)],
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
    result = {
        "acknowledged_saves": sum(1 for _ in Path(acks_path).read_text().splitlines()),
        "acknowledged_answers": len(acked),
        "missing_or_older": len(missing),
        "attempts": attempts.count(),
        "attempts_by_status": by_status,
        "graded_once": sum(1 for n in grades.values() if n == 1),
        "graded_more_than_once": sum(1 for n in grades.values() if n > 1),
        "answers_written_after_grading": Answer.objects.filter(
            attempt_question__attempt__in=attempts,
            saved_at__gt=models_submitted_at(),
        ).count(),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def models_submitted_at():
    from django.db.models import F

    return F("attempt_question__attempt__submitted_at")


# ---------------------------------------------------------------------------
# Closed-loop autosave measurement (PUT with a session), like harness.measure


def _put_worker(base: str, me: dict, positions: int, seconds: float, first_seq: int, queue) -> None:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {
        "Cookie": f"sessionid={me['session']}; csrftoken={me['csrf']}",
        "X-CSRFToken": me["csrf"],
        "Content-Type": "application/json",
    }
    latencies, errors, not_applied, seq = [], 0, 0, first_seq - 1
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        seq += 1
        body = json.dumps({"selected": [random.choice("ABCD")], "seq": seq})
        path = f"/api/v1/exam/attempts/{me['attempt']}/answers/{random.randint(1, positions)}"
        t0 = time.perf_counter()
        try:
            conn.request("PUT", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                errors += 1
            elif not json.loads(data)["applied"]:
                not_applied += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
    queue.put((latencies, errors, not_applied))


def measure_autosave(base: str, calibration: list[dict], seconds: float, phase: int = 0) -> dict:
    """Closed-loop saves; each `phase` numbers its saves a million above the one before, so
    every save carries a newer sequence number than any stored (none is a late, stale save)."""
    results, elapsed = fan_out(
        _put_worker,
        [(base, me, 20, seconds, me.get("seq", 0) + 1 + phase * 1_000_000) for me in calibration],
    )
    latencies = sorted(x for lat, _e, _n in results for x in lat)
    p50, p95 = p50_p95(latencies)
    return {
        "requests": len(latencies),
        "errors": sum(e for _l, e, _n in results),
        "not_applied": sum(n for _l, _e, n in results),
        "rps": len(latencies) / elapsed,
        "p50_ms": p50,
        "p95_ms": p95,
    }


def port_in_range(spec: str):
    """A `free_port` for the harness that binds within `spec` ("8100-8199") only."""
    low, high = (int(x) for x in spec.split("-"))

    def free_port() -> int:
        for port in range(low, high + 1):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in {spec}")

    return free_port


def locust_stats(prefix: str) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "rps": float(row["Requests/s"] or 0),
            }
    server_errors = 0
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if (
                    any(code in row["Error"] for code in ("500", "502", "503", "504"))
                    or "Connection" in row["Error"]
                ):
                    server_errors += int(row["Occurrences"])
    rows["server_errors"] = server_errors
    return rows


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phase", choices=["seed", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--think-min", type=float, default=10)
    parser.add_argument("--think-max", type=float, default=30)
    parser.add_argument("--run-seconds", type=float, default=150)
    parser.add_argument("--spawn-rate", type=float, default=25)
    parser.add_argument(
        "--tail-seconds",
        type=float,
        default=120,
        help="locust keeps running this long after the window",
    )
    parser.add_argument("--measure-seconds", type=float, default=10)
    parser.add_argument("--database", default="bench_exams")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/4", help="Celery broker (not consumed)"
    )
    parser.add_argument("--redis-db", type=int, default=4)
    parser.add_argument("--cache-db", type=int, default=5)
    parser.add_argument(
        "--ports",
        default="8100-8199",
        help="gunicorn binds the first free port of this range (one range per benchmark owner)",
    )
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="only the closed-loop autosave vs bare view ratio (no locust, no database check)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument(
        "--recreate", action="store_true", help="drop and recreate the scratch database"
    )
    parser.add_argument("--out", default="", help="also write the summary as JSON here")
    parser.add_argument("--sessions", default="")
    parser.add_argument("--acks", default="")
    args = parser.parse_args()

    if args.phase == "seed":
        return phase_seed(args.users, args.sessions)
    if args.phase == "verify":
        return phase_verify(args.acks, args.sessions, args.out)

    harness.free_port = port_in_range(args.ports)
    work = Path(tempfile.mkdtemp(prefix="bench-exams-"))
    env = harness.scratch_env(
        pg=args.pg,
        database=args.database,
        redis=args.redis,
        redis_db=args.redis_db,
        cache_db=args.cache_db,
        recreate=args.recreate,
    )
    sessions = work / "sessions.json"
    acks = work / "acks.jsonl"
    verify_out = work / "verify.json"
    log.info(f"seeding {args.users} workers …")
    subprocess.run(
        [
            PYTHON,
            __file__,
            "--phase",
            "seed",
            "--users",
            str(args.users),
            "--sessions",
            str(sessions),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    seeded = json.loads(sessions.read_text(encoding="utf-8"))
    (work / "locust-sessions.json").write_text(json.dumps(seeded["locust"]), encoding="utf-8")

    with serve(env=env, workers=args.workers, threads=args.threads) as base:
        # Warm both paths once, then measure them closed-loop on the same server.
        measure(base + "/health/live", seconds=2, clients=CALIBRATION_WORKERS)
        measure_autosave(base, seeded["calibration"], 2, phase=0)
        bare = measure(
            base + "/health/live", seconds=args.measure_seconds, clients=CALIBRATION_WORKERS
        )
        autosave = measure_autosave(base, seeded["calibration"], args.measure_seconds, phase=1)
        log.info(f"bare: {bare.line()}")
        log.info(f"autosave closed-loop: {autosave}")
        if args.throughput_only:
            ratio = autosave["rps"] / bare.rps if bare.rps else 0
            log.info(f"autosave / bare: {ratio:.2f}×; load average {os.getloadavg()}")
            ok = autosave["errors"] == 0 and bare.errors == 0
            sys.exit(0 if ok else 1)

        prefix = str(work / "locust")
        locust_env = {
            **env,
            "EXAMS_BENCH_SESSIONS": str(work / "locust-sessions.json"),
            "EXAMS_BENCH_ACKS": str(acks),
            "EXAMS_THINK_MIN": str(args.think_min),
            "EXAMS_THINK_MAX": str(args.think_max),
            "EXAMS_RUN_SECONDS": str(args.run_seconds),
        }
        log.info(f"locust: {args.users} users, think {args.think_min}–{args.think_max} s …")
        subprocess.run(
            [
                str(Path(PYTHON).parent / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "exams_locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                # Room after the submit window for a saturated server to answer every submit.
                f"{int(args.run_seconds + args.tail_seconds)}s",
                "--stop-timeout",
                "60",
                "--host",
                base,
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=locust_env,
            check=False,
        )
        stats = locust_stats(prefix)

    subprocess.run(
        [
            PYTHON,
            __file__,
            "--phase",
            "verify",
            "--acks",
            str(acks),
            "--sessions",
            str(sessions),
            "--out",
            str(verify_out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    verified = json.loads(verify_out.read_text(encoding="utf-8"))
    summary = {
        "users": args.users,
        "think_seconds": [args.think_min, args.think_max],
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "bare_rps": round(bare.rps, 1),
        "bare_p95_ms": round(bare.p95_ms, 1),
        "bare_errors": bare.errors,
        "autosave_closed_loop": {
            k: round(v, 1) if isinstance(v, float) else v for k, v in autosave.items()
        },
        "autosave_ratio": round(autosave["rps"] / bare.rps, 2) if bare.rps else 0,
        "locust": stats,
        "database": verified,
    }
    log.info(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    ok = (
        verified["missing_or_older"] == 0
        and verified["graded_more_than_once"] == 0
        and verified["graded_once"] == verified["attempts"]
        and verified["answers_written_after_grading"] == 0
        and stats["server_errors"] == 0
        and bare.errors == 0
    )
    log.info("VERIFIED" if ok else "CHECK FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
