"""A station of 60 seats (考点考试): every computer starts from its ticket within the same
minute, then saves an answer every 10 s; save p95 beside the 500-taker test's.

On a scratch PostgreSQL database served by gunicorn, in one run:

1. seed one exam, one station (127.0.0.0/8 allowed: loopback is the station's
   network here), one sitting open now with `--seats` workers booked, none with
   a login (the kiosk makes one), and print their tickets (codes to a file);
2. a locust run of `--seats` kiosk computers spawned at `--spawn-rate` per second
   (1/s: all started within a minute): kiosk sign-in with the ticket, the
   attempt page, one save every `--save-every` seconds, submit at the end;
3. a database check: every ticket used once, every acknowledged save stored,
   every attempt graded exactly once, no server error.

    .venv/bin/python benchmarks/sittings_station.py --recreate
    .venv/bin/python benchmarks/sittings_station.py --seats 60 --run-seconds 180

Loopback only; bounded by --run-seconds (default 180 s) plus a 60 s tail.
Celery messages go to the Redis database given by --redis-db (never consumed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from exams_autosave import locust_stats, port_in_range  # noqa: E402
from harness import PYTHON, ROOT, log, serve  # noqa: E402

EXAM_TITLE = "考点考试基准测试"
STATION_NAME = "基准测试服务站"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def phase_seed(seats: int, out: str) -> None:
    """One exam, one station, one sitting open now with `seats` booked workers; their codes."""
    _django()
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from wagtail.models import Page

    from courses.models import CoursePage
    from exams.models import DrawRule, Exam, Question, QuestionCategory
    from lms.accounts.roles import Role
    from lms.crypto import encrypt, lookup_hash
    from registry.models import Worker
    from sittings import services
    from sittings.models import Booking, Sitting, Station

    root = Page.get_first_root_node()
    course = CoursePage.objects.filter(slug="bench-sittings-course").first()
    if course is None:
        course = root.add_child(
            instance=CoursePage(title="考点考试基准课程", slug="bench-sittings-course")
        )
    category, _ = QuestionCategory.objects.get_or_create(name="考点考试基准")
    if not category.questions.exists():
        Question.objects.bulk_create(
            Question(
                category=category,
                type="single",
                stem=f"考点考试第 {i} 题：上门服务前应当怎样做？",
                choices=[{"key": k, "text": f"选项 {k}"} for k in "ABCD"],
                correct=["A"],
            )
            for i in range(40)
        )
    exam, _ = Exam.objects.update_or_create(
        title=EXAM_TITLE,
        defaults={
            "course": course,
            "time_limit_minutes": 60,
            "attempts_allowed": 100,
            "require_course_completed": False,
            "require_filing_approved": False,
        },
    )
    DrawRule.objects.update_or_create(
        exam=exam, category=category, defaults={"count": 20, "points": 5, "sort_order": 0}
    )
    station, _ = Station.objects.update_or_create(
        name=STATION_NAME,
        defaults={
            "address": "上海市徐汇区漕溪北路 100 号",
            "district": "xuhui",
            "seats": seats,
            "allowed_networks": "127.0.0.0/8\n::1/128",
        },
    )
    proctor, _ = get_user_model().objects.get_or_create(
        username="bench-proctor", defaults={"is_staff": True}
    )
    proctor.groups.add(Group.objects.get(name=Role.PROCTOR))
    # A new sitting each run: tickets are single-use.
    now = timezone.now()
    sitting = Sitting.objects.create(
        exam=exam,
        station=station,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        proctor=proctor,
    )
    run = Sitting.objects.count()
    workers = []
    for i in range(seats):
        number = f"310101198501{run % 100:02d}{i:04d}"
        workers.append(
            Worker(
                name=f"考生{run}-{i}",
                id_number_encrypted=encrypt(number),
                id_number_hash=lookup_hash(f"{run}-{i}-{number}"),
                id_last4=number[-4:],
                birth_date=date(1985, 1, 1),
                sex="F",
            )
        )
    workers = Worker.objects.bulk_create(workers)
    Booking.objects.bulk_create(
        Booking(sitting=sitting, worker=w, seat=seat) for seat, w in enumerate(workers, start=1)
    )
    codes = [code for _booking, code in services.tickets_issue(sitting=sitting, user=proctor)]
    Path(out).write_text(json.dumps({"sitting": sitting.pk, "codes": codes}), encoding="utf-8")


def phase_verify(acks_path: str, seeded_path: str, out: str) -> None:
    """Every ticket used once, every acknowledged save stored, every attempt graded once."""
    _django()
    from django.db.models import Count

    from wagtail.models import ModelLogEntry

    from exams.models import Answer, Attempt
    from sittings.models import Booking

    seeded = json.loads(Path(seeded_path).read_text(encoding="utf-8"))
    bookings = Booking.objects.filter(sitting_id=seeded["sitting"])
    attempt_ids = list(bookings.exclude(attempt=None).values_list("attempt_id", flat=True))
    acked: dict[tuple[int, int], dict] = {}
    for line in Path(acks_path).read_text(encoding="utf-8").splitlines():
        ack = json.loads(line)
        key = (ack["attempt"], ack["position"])
        if key not in acked or ack["seq"] > acked[key]["seq"]:
            acked[key] = ack
    stored = {
        (a["attempt_question__attempt_id"], a["attempt_question__position"]): a
        for a in Answer.objects.filter(attempt_question__attempt_id__in=attempt_ids).values(
            "attempt_question__attempt_id", "attempt_question__position", "seq", "selected"
        )
    }
    missing = [
        key
        for key, ack in acked.items()
        if key not in stored
        or stored[key]["seq"] < ack["seq"]
        or (stored[key]["seq"] == ack["seq"] and stored[key]["selected"] != ack["selected"])
    ]
    grades = (
        ModelLogEntry.objects.filter(
            action__in=["exams.attempt_submit", "exams.attempt_auto_submit"],
            object_id__in=[str(pk) for pk in attempt_ids],
        )
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    result = {
        "tickets_used": bookings.exclude(ticket_used_at=None).count(),
        "seats": bookings.count(),
        "acknowledged_answers": len(acked),
        "missing_or_older": len(missing),
        "attempts": len(attempt_ids),
        "graded": Attempt.objects.filter(pk__in=attempt_ids, status="graded").count(),
        "graded_more_than_once": sum(1 for g in grades if g["n"] > 1),
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--phase", choices=["seed", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--seats", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=1, help="kiosk starts per second")
    parser.add_argument("--save-every", type=float, default=10)
    parser.add_argument("--run-seconds", type=float, default=180)
    parser.add_argument("--database", default="bench_sittings")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--redis-db", type=int, default=6)
    parser.add_argument("--cache-db", type=int, default=7)
    parser.add_argument("--ports", default="8300-8349", help="gunicorn binds the first free one")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--recreate", action="store_true", help="drop and recreate the database")
    parser.add_argument("--out", default="", help="also write the summary as JSON here")
    parser.add_argument("--seeded", default="")
    parser.add_argument("--acks", default="")
    args = parser.parse_args()

    if args.phase == "seed":
        return phase_seed(args.seats, args.seeded)
    if args.phase == "verify":
        return phase_verify(args.acks, args.seeded, args.out)

    harness.free_port = port_in_range(args.ports)
    work = Path(tempfile.mkdtemp(prefix="bench-sittings-"))
    env = harness.scratch_env(
        pg=args.pg,
        database=args.database,
        redis=args.redis,
        redis_db=args.redis_db,
        cache_db=args.cache_db,
        recreate=args.recreate,
    )
    seeded, acks, verify_out = work / "seeded.json", work / "acks.jsonl", work / "verify.json"
    log.info(f"seeding a station of {args.seats} seats …")
    subprocess.run(
        [PYTHON, __file__, "--phase", "seed", "--seats", str(args.seats), "--seeded", str(seeded)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    tickets = work / "tickets.json"
    tickets.write_text(
        json.dumps(json.loads(seeded.read_text(encoding="utf-8"))["codes"]), encoding="utf-8"
    )
    with serve(env=env, workers=args.workers, threads=args.threads) as base:
        prefix = str(work / "locust")
        locust_env = {
            **env,
            "SITTINGS_BENCH_TICKETS": str(tickets),
            "SITTINGS_BENCH_ACKS": str(acks),
            "SITTINGS_SAVE_EVERY": str(args.save_every),
            "SITTINGS_RUN_SECONDS": str(args.run_seconds),
        }
        log.info(
            f"locust: {args.seats} kiosks at {args.spawn_rate}/s, a save every {args.save_every} s …"
        )
        subprocess.run(
            [
                str(Path(PYTHON).parent / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "sittings_locustfile.py"),
                "--headless",
                "--users",
                str(args.seats),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.run_seconds + 60)}s",
                "--stop-timeout",
                "30",
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
            "--seeded",
            str(seeded),
            "--out",
            str(verify_out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    verified = json.loads(verify_out.read_text(encoding="utf-8"))
    summary = {
        "seats": args.seats,
        "spawn_rate": args.spawn_rate,
        "save_every_seconds": args.save_every,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "locust": stats,
        "database": verified,
        "load_average": os.getloadavg(),
    }
    log.info(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    ok = (
        verified["tickets_used"] == verified["seats"] == args.seats
        and verified["missing_or_older"] == 0
        and verified["graded"] == verified["attempts"] == args.seats
        and verified["graded_more_than_once"] == 0
        and stats["server_errors"] == 0
    )
    log.info("VERIFIED" if ok else "CHECK FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
