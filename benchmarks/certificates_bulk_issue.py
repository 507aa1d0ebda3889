"""Bulk issue through a real Celery worker on Redis: time, zero duplicates, zero missing.

    REDIS_URL=redis://127.0.0.1:6379/8 REDIS_BROKER_DB=8 REDIS_CACHE_DB=9 \\
      .venv/bin/python benchmarks/certificates_bulk_issue.py [--count 10000] [--concurrency 2]

Fresh scratch PostgreSQL database ``bench_certificates_bulk``; `count`
approved workers each with a passed attempt; one
``certificates.tasks.certificate_issue_for_attempt`` message per attempt, sent
by name as the exams app sends it; a Celery worker (prefork) issues them and
renders each PDF and card after commit. Reports the time until every
certificate exists and until every PDF exists, and checks the numbers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from harness import log

sys.path.insert(0, str(Path(__file__).resolve().parent))

import certificates_data as data  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (and REDIS_BROKER_DB / REDIS_CACHE_DB) to a Redis of your own.")

    url = data.prepare("bench_certificates_bulk", fresh=True)
    data.setup_django(url)
    from django.db.models import Count

    from certificates.models import Certificate, CertificateSequence
    from lms.celery import app

    cert_type = data.certificate_type()
    t0 = time.perf_counter()
    attempt_ids = data.seed_attempts(cert_type, args.count)
    log.info(f"seeded {len(attempt_ids)} passed attempts in {time.perf_counter() - t0:.1f} s")

    # Start from an empty queue of our own.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    env.setdefault("DJANGO_SECRET_KEY", os.environ["DJANGO_SECRET_KEY"])
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--concurrency",
            str(args.concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        start = time.perf_counter()
        for attempt_id in attempt_ids:
            app.send_task("certificates.tasks.certificate_issue_for_attempt", args=[attempt_id])
        sent = time.perf_counter() - start
        log.info(f"sent {len(attempt_ids)} messages in {sent:.1f} s")
        issued_at = rendered_at = None
        deadline = start + args.timeout
        while time.perf_counter() < deadline:
            issued = Certificate.objects.count()
            rendered = Certificate.objects.exclude(pdf="").count()
            if issued_at is None and issued >= args.count:
                issued_at = time.perf_counter() - start
                log.info(f"all {issued} certificates issued after {issued_at:.1f} s")
            if rendered >= args.count:
                rendered_at = time.perf_counter() - start
                log.info(f"all {rendered} PDFs and cards rendered after {rendered_at:.1f} s")
                break
            time.sleep(2)
        else:
            log.info(f"TIMEOUT: {issued} issued, {rendered} rendered")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()

    numbers = Certificate.objects.values("number").annotate(n=Count("pk")).filter(n__gt=1)
    per_attempt = Certificate.objects.values("attempt").annotate(n=Count("pk")).filter(n__gt=1)
    missing = len(set(attempt_ids) - set(Certificate.objects.values_list("attempt_id", flat=True)))
    sequence = CertificateSequence.objects.get(type=cert_type)
    suffixes = sorted(
        int(n.rsplit("-", 1)[1]) for n in Certificate.objects.values_list("number", flat=True)
    )
    gap_free = suffixes == list(range(1, len(suffixes) + 1))
    log.info(
        f"duplicates: numbers {numbers.count()}, attempts {per_attempt.count()}; "
        f"missing: {missing}; gap-free 1..{sequence.last_value}: {gap_free}"
    )
    if issued_at:
        log.info(
            f"issue rate: {args.count / issued_at:.0f} certificates/s (issue and render interleaved)"
        )
    if rendered_at:
        log.info(f"end to end: {args.count / rendered_at:.0f} certificates/s with PDF and card")


if __name__ == "__main__":
    main()
