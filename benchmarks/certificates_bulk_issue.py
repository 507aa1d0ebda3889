"""Bulk issue through a real Celery worker on Redis: time, zero duplicates, zero missing.

    REDIS_URL=redis://127.0.0.1:6379/10 REDIS_BROKER_DB=10 REDIS_CACHE_DB=11 \\
      .venv/bin/python benchmarks/certificates_bulk_issue.py [--count 10000] [--concurrency 2] \\
      [--via batch|messages] [--database bench_certificates_bulk]

Fresh scratch PostgreSQL database (``--database``); `count` approved workers
each with a passed attempt; a Celery worker (prefork) issues the certificates
and renders each PDF and card after commit. Two ways in:

- ``--via batch`` (default): the admin's bulk issue (批量发证) — one
  ``CertificateBatch`` for the cohort, planned into chunks in Celery, each
  chunk issued in one transaction; its progress is what the admin shows;
- ``--via messages``: one ``certificates.tasks.certificate_issue_for_attempt``
  message per attempt, sent by name as the exams app sends it.

Reports the time until every certificate exists and until every PDF and card
exists (rendering runs alongside issuing, in the same worker), checks numbers
(unique, gap-free), attempts (one certificate each, none missing) and audit
entries (one per issue), and the load average seen during the run. PDFs are
written to a temporary MEDIA_ROOT, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
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
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--via", choices=("batch", "messages"), default="batch")
    parser.add_argument("--database", default="bench_certificates_bulk")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (and REDIS_BROKER_DB / REDIS_CACHE_DB) to a Redis of your own.")

    media = tempfile.mkdtemp(prefix="bench-certs-media-")
    try:
        run(args, media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def run(args, media: str) -> None:
    url = data.prepare(args.database, fresh=True)
    data.setup_django(url, MEDIA_ROOT=media)
    from django.db.models import Count

    from wagtail.models import ModelLogEntry

    from certificates.models import Certificate, CertificateSequence
    from certificates.services.batches import certificate_batch_issue
    from lms.celery import app

    cert_type = data.certificate_type()
    t0 = time.perf_counter()
    attempt_ids = data.seed_attempts(cert_type, args.count)
    log.info(f"seeded {len(attempt_ids)} passed attempts in {time.perf_counter() - t0:.1f} s")

    # Start from an empty queue of our own.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "MEDIA_ROOT": media}
    env.setdefault("DJANGO_SECRET_KEY", os.environ["DJANGO_SECRET_KEY"])
    cpu_before = _children_cpu()
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
    loads = []
    try:
        time.sleep(3)
        log.info(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        start = time.perf_counter()
        batch = None
        if args.via == "batch":
            batch = certificate_batch_issue(cert_type=cert_type, acting_user=None)
            log.info(f"bulk issue job {batch.pk} started for {batch.total} attempts")
        else:
            for attempt_id in attempt_ids:
                app.send_task("certificates.tasks.certificate_issue_for_attempt", args=[attempt_id])
            log.info(f"sent {len(attempt_ids)} messages in {time.perf_counter() - start:.1f} s")
        issued_at = rendered_at = None
        deadline = start + args.timeout
        last_report = 0.0
        while time.perf_counter() < deadline:
            issued = Certificate.objects.count()
            rendered = Certificate.objects.exclude(pdf="").exclude(card_pdf="").count()
            now = time.perf_counter() - start
            loads.append(os.getloadavg()[0])
            if now - last_report >= 30:
                progress = ""
                if batch is not None:
                    batch.refresh_from_db()
                    progress = f"; admin progress {batch.percent}% ({batch.done}/{batch.total})"
                log.info(f"{now:6.0f} s: {issued} issued, {rendered} rendered{progress}")
                last_report = now
            if issued_at is None and issued >= args.count:
                issued_at = now
                log.info(f"all {issued} certificates issued after {issued_at:.1f} s")
            if rendered >= args.count:
                rendered_at = now
                log.info(f"all {rendered} PDFs and cards rendered after {rendered_at:.1f} s")
                break
            time.sleep(1 if issued_at is None else 2)
        else:
            log.info(f"TIMEOUT: {issued} issued, {rendered} rendered")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    # The worker and its pool processes, once reaped (start-up included).
    worker_cpu = _children_cpu() - cpu_before

    numbers = Certificate.objects.values("number").annotate(n=Count("pk")).filter(n__gt=1)
    per_attempt = Certificate.objects.values("attempt").annotate(n=Count("pk")).filter(n__gt=1)
    missing = len(set(attempt_ids) - set(Certificate.objects.values_list("attempt_id", flat=True)))
    sequence = CertificateSequence.objects.get(type=cert_type)
    suffixes = sorted(
        int(n.rsplit("-", 1)[1]) for n in Certificate.objects.values_list("number", flat=True)
    )
    gap_free = suffixes == list(range(1, len(suffixes) + 1))
    audited = ModelLogEntry.objects.filter(action="certificates.issue").count()
    log.info(
        f"duplicates: numbers {numbers.count()}, attempts {per_attempt.count()}; "
        f"missing: {missing}; gap-free 1..{sequence.last_value}: {gap_free}; "
        f"audit entries: {audited} for {len(suffixes)} certificates"
    )
    if batch is not None:
        batch.refresh_from_db()
        log.info(
            f"admin progress: {batch.get_state_display()} {batch.done}/{batch.total}, "
            f"{batch.failed} refused"
        )
    if issued_at:
        log.info(f"issue: {args.count} in {issued_at:.1f} s = {args.count / issued_at:.0f}/s")
    if rendered_at:
        log.info(
            f"PDF + card: all rendered {rendered_at:.1f} s after the start, "
            f"{rendered_at - (issued_at or 0):.1f} s after the last issue; "
            f"end to end {args.count / rendered_at:.0f} certificates/s"
        )
    log.info(
        f"Celery worker CPU time (all processes, issue + render + start-up): {worker_cpu:.0f} s"
        + (f" = {args.count / worker_cpu:.0f} certificates per CPU-second" if worker_cpu else "")
    )
    if loads:
        log.info(
            f"load average (1 min) during the run: min {min(loads):.2f}, "
            f"max {max(loads):.2f}, mean {sum(loads) / len(loads):.2f}"
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
