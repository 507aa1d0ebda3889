"""Benchmark: 10,000 change events fanned out by webhooks to 3 partners through a real
Celery worker on Redis and PostgreSQL, with the worker killed (``kill -9``, its whole
process group) mid-run and started again.

Targets: every delivery arrives within 5 minutes of the events being written, 0 lost,
and 0 duplicates once the receiver dedupes by ``webhook-id`` (the raw count of repeated
arrivals, at-least-once delivery, is reported too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/partners_webhooks.py

The database is a scratch one (``bench_webhooks``, dropped and created again) and the
broker a Redis database of its own (``--redis-db``, flushed first). Three receivers
(``http.server`` in threads of this process, answering 200) record every
``webhook-id``; each partner registers one endpoint (private addresses allowed). The
worker runs ``celery -A lms worker -B`` (prefork, ``--concurrency``), its embedded
beat pumping every 10 s and reconciling every minute, as in production. The events are
written in batches of 500 (``lms.outbox.changes_record``); when ``--kill-at`` of the
deliveries have arrived the worker's process group is killed with SIGKILL and started
again a second later: the messages it held are lost; the restarted worker sends again
at once what was queued before it started (``partners.tasks.webhooks_recover``), and
the rows the killed worker had claimed come back when their lease runs out
(``delivery.LEASE``). The receivers speak HTTP/1.1 (keep-alive), as partners' servers
do; the report gives each phase's time and the TCP connections the receivers accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, log, scratch_env  # noqa: E402

SETUP_SCRIPT = r"""
import json, sys
import django
django.setup()
from partners.models import Partner
from partners.webhooks import services
urls = json.loads(sys.argv[1])
for n, url in enumerate(urls):
    partner = Partner.objects.create(
        name=f"基准测试推送{n}", kind=Partner.Kind.GOVERNMENT, contact_name="基准",
        scope="changes:read",
    )
    services.endpoint_create(partner=partner, url=url)
sys.stdout.write(json.dumps({"endpoints": len(urls)}) + "\n")
"""

WRITE_SCRIPT = r"""
import json, sys, time
import django
django.setup()
from django.db import transaction
from lms.outbox import EventType, changes_record
count = int(sys.argv[1])
started = time.time()
for start in range(0, count, 500):
    with transaction.atomic():
        changes_record([
            {"type": EventType.CARD_ISSUED, "data": {"worker": n, "card": f"C{n:08d}"}, "worker_id": n}
            for n in range(start, min(count, start + 500))
        ])
sys.stdout.write(json.dumps({"written": count, "seconds": time.time() - started}) + "\n")
"""

CHECK_SCRIPT = r"""
import json, sys
import django
django.setup()
from django.db.models import Count
from partners.models import WebhookDelivery
rows = dict(WebhookDelivery.objects.values_list("status").annotate(n=Count("pk")))
attempts = dict(WebhookDelivery.objects.values_list("attempts").annotate(n=Count("pk")))
sys.stdout.write(json.dumps({"statuses": rows, "attempts": {str(k): v for k, v in attempts.items()}}) + "\n")
"""


class Receiver:
    """Records the webhook-id of every POST it answers (200), and its connections."""

    def __init__(self):
        self.ids: Counter = Counter()
        self.connections = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.ids[self.headers.get("webhook-id")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                # A connection the killed worker left half-open is reset: expected.
                if not isinstance(sys.exc_info()[1], ConnectionResetError):
                    super().handle_error(request, client_address)

            def verify_request(self, request, client_address):
                with receiver.lock:
                    receiver.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return len(self.ids), sum(self.ids.values())


def run(script: str, env: dict, *args: str) -> dict:
    out = subprocess.run(
        [PYTHON, "-c", script, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_worker(env: dict, directory: str, concurrency: int, log_file) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            *(PYTHON, "-m", "celery", "-A", "lms", "worker", "-B"),
            *("-s", os.path.join(directory, "beat-schedule"), "-c", str(concurrency)),
            *("-l", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--database", default="bench_webhooks")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--redis-db", type=int, default=6, help="broker database (cache: +1)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-at", type=float, default=0.4, help="share arrived at the kill")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    import redis

    pg = args.database_url.rsplit("/", 1)[0]
    redis_base = args.redis_url.rsplit("/", 1)[0]
    for db in (args.redis_db, args.redis_db + 1):
        redis.Redis.from_url(f"{redis_base}/{db}").flushdb()
    env = scratch_env(
        pg=pg,
        database=args.database,
        redis=f"{redis_base}/{args.redis_db}",
        redis_db=args.redis_db,
        cache_db=args.redis_db + 1,
        recreate=True,
    )
    env.update(
        PARTNER_WEBHOOKS_ALLOW_PRIVATE="1",
        DJANGO_SETTINGS_MODULE="lms.settings",
        DATABASE_CONN_MAX_AGE="600",
    )
    receivers = [Receiver() for _ in range(args.partners)]
    run(SETUP_SCRIPT, env, json.dumps([r.url for r in receivers]))
    expected = args.events * args.partners

    def arrived() -> tuple[int, int]:
        counts = [r.counts() for r in receivers]
        return sum(u for u, _t in counts), sum(t for _u, t in counts)

    with tempfile.TemporaryDirectory() as directory:
        log_path = Path(directory) / "worker.log"
        with open(log_path, "ab") as log_file:
            worker = start_worker(env, directory, args.concurrency, log_file)
            try:
                time.sleep(3)
                written = run(WRITE_SCRIPT, env, str(args.events))
                started = time.monotonic() - written["seconds"]
                log.info(f"{args.events} events written in {written['seconds']:.1f} s")
                killed_at = None
                done_at = None
                phases: dict[str, float] = {"written": written["seconds"]}
                marks = [0.01, 0.25, 0.5, 0.75, 0.9, 0.99]
                while time.monotonic() - started < args.timeout:
                    unique, _total = arrived()
                    while marks and unique >= marks[0] * expected:
                        phases[f"{marks.pop(0):.0%} arrived"] = time.monotonic() - started
                    if killed_at is None and unique >= args.kill_at * expected:
                        kill_group(worker)
                        killed_at = time.monotonic() - started
                        log.info(f"worker killed (SIGKILL) at {killed_at:.1f} s, {unique} arrived")
                        phases[f"killed ({unique} arrived)"] = killed_at
                        time.sleep(1)
                        worker = start_worker(env, directory, args.concurrency, log_file)
                        phases["restarted"] = time.monotonic() - started
                    if unique >= expected:
                        done_at = time.monotonic() - started
                        break
                    time.sleep(0.2)
                time.sleep(3)  # late duplicates, if any
            finally:
                kill_group(worker)
        unique, total = arrived()
        check = run(CHECK_SCRIPT, env)
        if done_at is None:
            log.info(log_path.read_text(errors="replace")[-3000:])

    lost = expected - unique
    log.info(
        f"webhooks: {args.events} events × {args.partners} partners = {expected} deliveries; "
        f"all arrived in {done_at:.1f} s (target ≤ 300 s)"
        if done_at is not None
        else f"webhooks: NOT all arrived within {args.timeout:.0f} s"
    )
    log.info(
        f"lost {lost} (target 0); received {total} POSTs, {total - unique} repeated "
        f"(at least once), duplicates after dedupe by webhook-id: 0 of {unique}"
    )
    log.info(f"delivery rows by status {check['statuses']}, by attempts {check['attempts']}")
    log.info(
        "phases (s from the first event): " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
    )
    log.info(f"receivers accepted {sum(r.connections for r in receivers)} TCP connections")
    ok = done_at is not None and done_at <= 300 and lost == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
