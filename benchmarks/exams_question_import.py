"""Question bank import: a 5,000-question GIFT file and a 2,000-item QTI package, ≤ 60 s each.

    .venv/bin/python benchmarks/exams_question_import.py [--gift 5000] [--qti 2000] \\
      [--via inline|celery] [--database bench_exams_import]

    # through a real Celery worker on Redis, with the progress the admin page shows:
    REDIS_URL=redis://127.0.0.1:6379/10 REDIS_BROKER_DB=10 REDIS_CACHE_DB=11 \\
      .venv/bin/python benchmarks/exams_question_import.py --via celery

Fresh scratch PostgreSQL database (``--database``, on ``BENCH_PG_URL``); the
files are generated: GIFT single, multiple (weighted) and true/false
questions with feedback, one in fifty a duplicate; a QTI 2.1 package of
single and multiple-response items, one in ten with its own PNG. Each file
goes the admin's way: upload (stored, a job created), read and checked
(preview and problems), then "导入无误的题目" (questions and images written
in one transaction). ``--via inline`` runs the two Celery tasks in this
process, as an eager worker would; ``--via celery`` sends them to a worker
(prefork, concurrency 1) and samples the job's progress as the page does.
Reports the time of each step and the total against the 60 s target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from harness import log

sys.path.insert(0, str(Path(__file__).resolve().parent))

import certificates_data as data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 60


def gift_file(count: int) -> bytes:
    from exams.exchange import base, gift

    items = []
    for n in range(1, count + 1):
        # One in fifty repeats the stem before it: a duplicate the check must report.
        number = n - 1 if n % 50 == 0 else n
        stem = f"第 {number} 题：家政服务员上门服务时，下列做法是否正确？{{注意}}"
        if n % 3 == 0:
            item = base.Item(
                where="",
                type="true_false",
                stem=stem,
                choices=[{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
                correct=["T"],
            )
        else:
            multiple = n % 3 == 1
            item = base.Item(
                where="",
                type="multiple" if multiple else "single",
                stem=stem,
                choices=base.keyed(
                    ["核对雇主地址", "直接开始打扫", "尊重雇主隐私", "私自带走物品"]
                ),
                correct=["A", "C"] if multiple else ["A"],
            )
        item.explanation = "上门前核对地址和服务内容，避免走错门、做错事。"
        item.name = f"Q{n}"
        items.append(item)
    return gift.write(items, category="基准测试")


def qti_package(count: int) -> bytes:
    from PIL import Image

    from exams.exchange import base, qti

    items = []
    for n in range(1, count + 1):
        image = None
        if n % 10 == 0:
            out = BytesIO()
            Image.new("RGB", (64, 48), (n % 256, (n // 256) % 256, 90)).save(out, "PNG")
            image = base.ImageRef(f"pic-{n}.png", out.getvalue())
        multiple = n % 2 == 0
        items.append(
            base.Item(
                where="",
                type="multiple" if multiple else "single",
                stem=f"QTI 第 {n} 题：照顾老人时，以下做法正确的是？",
                choices=base.keyed(["按医嘱提醒服药", "随意更改用药", "保持地面干燥", "独自外出"]),
                correct=["A", "C"] if multiple else ["A"],
                explanation="按医嘱用药，防滑防跌。",
                image=image,
                name=f"item-{n}",
            )
        )
    return qti.write(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gift", type=int, default=5000)
    parser.add_argument("--qti", type=int, default=2000)
    parser.add_argument("--via", choices=("inline", "celery"), default="inline")
    parser.add_argument("--database", default="bench_exams_import")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if args.via == "celery" and not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (and REDIS_BROKER_DB / REDIS_CACHE_DB) to a Redis of your own.")
    media = tempfile.mkdtemp(prefix="bench-exams-media-")
    try:
        run(args, media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run(args, media: str) -> None:
    url = data.prepare(args.database, fresh=True)
    if args.via == "inline":
        os.environ.pop("REDIS_URL", None)  # tasks run eagerly in this process
    data.setup_django(url, MEDIA_ROOT=media)
    from django.conf import settings

    # Every file goes the large-file way: reading and importing in Celery tasks.
    settings.EXAMS_EXCHANGE_SYNC_MAX_BYTES = 0
    settings.EXAMS_EXCHANGE_SYNC_MAX_ITEMS = 0

    worker = None
    if args.via == "celery":
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "MEDIA_ROOT": media}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", "worker", "--concurrency", "1"]
            + ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
        )
        time.sleep(4)
    try:
        results = []
        t0 = time.perf_counter()
        data_gift = gift_file(args.gift)
        log.info(
            f"generated GIFT: {args.gift} questions, {len(data_gift) / 1e6:.1f} MB "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        results.append(one("GIFT", "questions.gift.txt", "gift", data_gift, args))
        t0 = time.perf_counter()
        data_qti = qti_package(args.qti)
        log.info(
            f"generated QTI: {args.qti} items, {len(data_qti) / 1e6:.1f} MB "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        results.append(one("QTI", "items.zip", "qti", data_qti, args))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    for name, total in results:
        verdict = "meets" if total <= TARGET_S else "MISSES"
        log.info(
            f"{name}: {total:.1f} s upload → preview → imported; target ≤ {TARGET_S} s: {verdict}"
        )


def one(label: str, filename: str, fmt: str, payload: bytes, args) -> tuple[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from exams import tasks
    from exams.exchange import services
    from exams.models import Question, QuestionCategory, QuestionImport

    user, _created = get_user_model().objects.get_or_create(username="bench-importer")
    category = QuestionCategory.objects.create(name=f"基准 {label} {time.time_ns()}")
    start = time.perf_counter()
    with transaction.atomic():
        job = services.question_import_create(
            category=category,
            upload=SimpleUploadedFile(filename, payload),
            fmt=fmt,
            acting_user=user,
        )
    uploaded = time.perf_counter()
    if args.via == "inline":
        tasks.question_import_read_task(job.pk)
    samples = wait_for(job.pk, {QuestionImport.Status.READY, QuestionImport.Status.FAILED}, args)
    read = time.perf_counter()
    job.refresh_from_db()
    if job.status != QuestionImport.Status.READY:
        sys.exit(f"{label}: reading failed: {job.failure}")
    log.info(
        f"{label}: stored in {uploaded - start:.2f} s; read and checked in {read - uploaded:.1f} s "
        f"({job.valid_count} without problems, {job.problem_count} problems); "
        f"progress seen: {samples}"
    )
    with transaction.atomic():
        services.question_import_decide(job=job, import_good=True, acting_user=user)
    if args.via == "inline":
        tasks.question_import_apply_task(job.pk)
    samples = wait_for(job.pk, {QuestionImport.Status.DONE, QuestionImport.Status.FAILED}, args)
    done = time.perf_counter()
    job.refresh_from_db()
    if job.status != QuestionImport.Status.DONE:
        sys.exit(f"{label}: import failed: {job.failure}")
    assert Question.objects.filter(category=category).count() == job.created_count
    log.info(
        f"{label}: imported {job.created_count} questions and {job.image_count} images "
        f"in {done - read:.1f} s; progress seen: {samples}"
    )
    return label, done - start


def wait_for(pk: int, states: set, args) -> str:
    """Poll the job like its page does (every 0.5 s); a few of the percentages seen."""
    from exams.exchange.selectors import question_import_percent
    from exams.models import QuestionImport

    seen: list[int] = []
    deadline = time.perf_counter() + args.timeout
    while time.perf_counter() < deadline:
        job = QuestionImport.objects.get(pk=pk)
        percent = question_import_percent(job)
        if not seen or seen[-1] != percent:
            seen.append(percent)
        if job.status in states:
            return " → ".join(f"{p}%" for p in seen[:12])
        time.sleep(0.5)
    sys.exit("timed out")


if __name__ == "__main__":
    main()
