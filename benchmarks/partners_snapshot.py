"""Benchmark: the partner snapshot (``GET /api/v1/snapshot``) of 300,000 workers over HTTP.

Targets: every worker streamed in ≤ 60 s, and the serving process's peak resident
memory (``VmHWM`` of the gunicorn worker, from ``/proc``) under 200 MB.

    .venv/bin/python benchmarks/partners_snapshot.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_snapshot --workers 300000

The database is a scratch one: created if missing, migrated, filled by ``seed_scale``
(skipped when already full) and given histories by ``registry_histories.py``
(employments, credit records, insurance, certificates: what the door colour reads).
A national-platform partner is registered once. One gunicorn worker (sync, one
thread) serves; the client exchanges a token at ``/oauth/token/`` and reads the
stream to its end line, checking that it names every filed worker. Runs:

* **masked** — a token without ``pii:read`` (names, ID numbers, phones masked:
  the ID number is still decrypted to mask it);
* **full** — ``pii:read`` with a purpose (the same work, unmasked);
* **resumed** — a cut after 1,000 lines, resumed from the last token received:
  the first line's cursor is the same and the two parts hold every worker once.

It also times the view log (#26) on its own: one
``consent.services.worker_views_record_many`` INSERT … SELECT per chunk of 2,000
workers, 150 times (300,000 rows; removed after), which is what the snapshot adds
per chunk.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, base_env, ensure_database, free_port, log, manage  # noqa: E402

PARTNER_SCRIPT = r"""
import json, sys
from partners.models import Partner
from partners.services import partner_credential_create, partner_credential_revoke
from registry.models import Worker
partner, _ = Partner.objects.get_or_create(
    name="基准测试快照", defaults={
        "kind": Partner.Kind.NATIONAL, "contact_name": "基准",
        "scope": "workers:read certificates:read credit:read changes:read pii:read",
        "rate_per_minute": 100000,
    },
)
for old in partner.credentials.filter(revoked_at__isnull=True):
    partner_credential_revoke(credential=old)
credential, secret = partner_credential_create(partner=partner)
filed = Worker.objects.filter(filings__is_current=True).count()
sys.stdout.write(json.dumps({"client_id": credential.client_id, "secret": secret, "filed": filed}) + "\n")
"""

VIEWLOG_SCRIPT = r"""
import json, sys, time
from consent.models import ViewerKind, WorkerView
from consent.services import worker_views_record_many
from registry.models import Worker
ids = list(Worker.objects.order_by("pk").values_list("pk", flat=True)[:300000])
before = WorkerView.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
t0 = time.perf_counter()
for start in range(0, len(ids), 2000):
    worker_views_record_many(
        worker_ids=ids[start:start + 2000], kind=WorkerView.Kind.PARTNER_API,
        viewer_kind=ViewerKind.PARTNER, viewer_label="基准测试快照",
    )
spent = time.perf_counter() - t0
WorkerView.objects.filter(pk__gt=before, viewer_label="基准测试快照").delete()
sys.stdout.write(json.dumps({"rows": len(ids), "seconds": spent}) + "\n")
"""


def _last_json(env: dict, script: str) -> dict:
    return json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])


def _proc_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _token(base: str, client_id: str, secret: str, scope: str) -> str:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        base + "/oauth/token/",
        data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope}).encode(),
        headers={"Authorization": f"Basic {basic}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        return json.loads(answer.read())["access_token"]


def _stream(base: str, token: str, params: dict, *, stop_after: int | None = None) -> dict:
    """Read the snapshot as a light client would (lines counted in 1 MB reads, the ids of
    records parsed only for a cut); returns a summary, timings and bytes."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    t0 = time.perf_counter()
    conn.request(
        "GET",
        "/api/v1/snapshot?" + urllib.parse.urlencode(params),
        headers={"Authorization": f"Bearer {token}"},
    )
    answer = conn.getresponse()
    if answer.status != 200:
        raise RuntimeError(f"snapshot answered {answer.status}: {answer.read()[:500]!r}")
    first = json.loads(answer.readline())
    first_byte = time.perf_counter() - t0
    lines, size, tail, ids, kept = 0, 0, b"", set(), []
    while True:
        block = answer.read1(1 << 20) if stop_after is None else answer.readline()
        if not block:
            break
        size += len(block)
        lines += block.count(b"\n")
        tail = (tail + block)[-4096:]
        if stop_after is not None:
            kept.append(json.loads(block))
            if lines >= stop_after:
                break
    conn.close()
    last = (
        [json.loads(x) for x in tail.splitlines()[-2:] if x.strip()] if stop_after is None else []
    )
    if stop_after is not None:
        ids = {d["record"]["id"] for d in kept}
        return {
            "first": first["snapshot"],
            "records": len(kept),
            "ids": ids,
            "resume": kept[-1]["resume"],
            "end": None,
            "bytes": size,
            "first_byte_s": first_byte,
            "seconds": time.perf_counter() - t0,
        }
    end = last[-1].get("end") if last else None
    return {
        "first": first["snapshot"],
        "records": lines - 1 if end else lines,
        "ids": ids,
        "end": end,
        "resume": last[0].get("resume") if len(last) > 1 else None,
        "bytes": size,
        "first_byte_s": first_byte,
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_snapshot"
    )
    parser.add_argument("--workers", type=int, default=300_000)
    args = parser.parse_args()

    ensure_database(args.database_url)
    env = base_env(DATABASE_URL=args.database_url, DJANGO_DEBUG="1")
    manage(env, "migrate", "-v0")
    manage(env, "seed_scale", "--workers", str(args.workers))
    subprocess.run([PYTHON, "benchmarks/registry_histories.py"], cwd=ROOT, env=env, check=True)
    setup = _last_json(env, PARTNER_SCRIPT)
    log.info(f"{setup['filed']} filed workers")

    viewlog = _last_json(env, VIEWLOG_SCRIPT)
    log.info(
        f"view log alone: {viewlog['rows']:,} rows in chunks of 2,000: "
        f"{viewlog['seconds']:.1f} s ({viewlog['seconds'] / viewlog['rows'] * 1e6:.0f} µs a worker)"
    )

    port = free_port()
    server_env = base_env(DATABASE_URL=args.database_url, DATABASE_CONN_MAX_AGE="60")
    cmd = [PYTHON, "-m", "gunicorn", "lms.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    cmd += ["--workers", "1", "--threads", "1", "--timeout", "300", "--log-level", "warning"]
    master = subprocess.Popen(cmd, cwd=ROOT, env=server_env)
    base = f"http://127.0.0.1:{port}"
    failures = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health/live", timeout=2).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or master.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        (worker_pid,) = _children(master.pid)
        idle = _proc_kib(worker_pid, "VmRSS")
        log.info(f"gunicorn worker pid {worker_pid}: {idle / 1024:.0f} MB resident when idle")

        masked = _token(base, setup["client_id"], setup["secret"], "workers:read")
        full = _token(base, setup["client_id"], setup["secret"], "workers:read pii:read")
        runs = [
            ("masked", masked, {"sections": "workers"}),
            ("full (pii:read)", full, {"sections": "workers", "purpose": "基准测试：首次同步"}),
        ]
        for label, token, params in runs:
            got = _stream(base, token, params)
            hwm = _proc_kib(worker_pid, "VmHWM")
            ok = got["end"] == {"records": setup["filed"]} == {"records": got["records"]}
            log.info(
                f"snapshot {label}: {got['records']:,} workers, {got['bytes'] / 2**20:.0f} MB in "
                f"{got['seconds']:.1f} s ({got['records'] / got['seconds']:,.0f}/s; first line "
                f"after {got['first_byte_s'] * 1000:.0f} ms); worker peak RSS {hwm / 1024:.0f} MB"
                f"{'' if ok else ' — INCOMPLETE'}"
            )
            if not ok:
                failures.append(f"{label}: incomplete")
            if got["seconds"] > 60:
                failures.append(f"{label}: {got['seconds']:.1f} s > 60 s")
            if hwm >= 200 * 1024:
                failures.append(f"{label}: peak RSS {hwm / 1024:.0f} MB ≥ 200 MB")

        cut = _stream(base, masked, {"sections": "workers"}, stop_after=1000)
        rest = _stream(base, masked, {"after": cut["resume"]})
        resumed_ok = rest["first"] == cut["first"] and rest["end"] == {
            "records": setup["filed"] - 1000
        }
        log.info(
            f"resumed after a cut at 1,000 lines: same first line {rest['first'] == cut['first']}, "
            f"the rest {rest['end']} in {rest['seconds']:.1f} s"
        )
        if not resumed_ok:
            failures.append("resume lost or repeated records")
        log.info(f"worker peak RSS over every run: {_proc_kib(worker_pid, 'VmHWM') / 1024:.0f} MB")
    finally:
        master.terminate()
        try:
            master.wait(timeout=10)
        except subprocess.TimeoutExpired:
            master.kill()
    if failures:
        log.error("FAILED: " + "; ".join(failures))
        sys.exit(1)
    log.info("targets met: ≤ 60 s and < 200 MB")


if __name__ == "__main__":
    main()
