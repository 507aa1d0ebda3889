"""Benchmark: reading 100,000 change events through the partner feed (GET /api/v1/changes).

A partner with ``changes:read`` exchanges its client credentials for a token at
/oauth/token/, then reads the whole feed from the beginning, page by page
(``limit=1000``), each page's ``next`` passed as ``after``, over one keep-alive
connection to gunicorn on loopback. Target: all 100,000 events in ≤ 30 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_partners_feed \\
        .venv/bin/python benchmarks/partners_feed.py [--events 100000] [--limit 1000]

PostgreSQL only (the feed's running-transaction bound is what is measured): the
database named by ``DATABASE_URL`` is a scratch one, created if missing, migrated,
and its change events replaced by ``--events`` events written in transactions of
100 (as services write them: many transactions, interleaved ``(txid, id)``).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import base_env, ensure_database, log, migrate_and_run, redis_env, serve  # noqa: E402

SETUP = r"""
import json
import sys
import django
django.setup()
from django.db import transaction
from lms.models import ChangeEvent
from lms.outbox import EventType, changes_record
from partners.models import Partner
from partners.services import partner_credential_create

EVENTS = {events}
ChangeEvent.objects.all().delete()
types = EventType.ALL
for start in range(0, EVENTS, 100):
    with transaction.atomic():
        changes_record([
            {{"type": types[n % len(types)], "worker_id": n, "agency_id": n % 50,
              "data": {{"worker": n, "certificate": f"SH-JZ-2026-{{n:06d}}"}}}}
            for n in range(start, min(start + 100, EVENTS))
        ])
partner, _ = Partner.objects.update_or_create(
    name="基准测试变更读取", defaults={{"kind": "government", "scope": "changes:read",
                                  "rate_per_minute": 100000, "contact_name": "基准"}},
)
credential, secret = partner_credential_create(partner=partner)
sys.stdout.write(json.dumps({{"client_id": credential.client_id, "secret": secret,
                             "events": ChangeEvent.objects.count()}}) + "\n")
"""


def _token(base: str, client_id: str, secret: str) -> str:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    conn.request(
        "POST",
        "/oauth/token/",
        body=urlencode({"grant_type": "client_credentials", "scope": "changes:read"}),
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"token refused: {response.status} {body[:200]!r}")
    return json.loads(body)["access_token"]


def read_all(base: str, token: str, limit: int) -> tuple[int, int, float, float]:
    """Follow the feed from the beginning to its end: events, pages, seconds, slowest page (ms)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    after, events, pages, slowest = "", 0, 0, 0.0
    t0 = time.perf_counter()
    while True:
        started = time.perf_counter()
        conn.request(
            "GET", "/api/v1/changes?" + urlencode({"after": after, "limit": limit}), headers=headers
        )
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"page {pages + 1}: {response.status} {body[:200]!r}")
        slowest = max(slowest, (time.perf_counter() - started) * 1000)
        page = json.loads(body)
        events += len(page["events"])
        pages += 1
        after = page["next"]
        if not page["has_more"]:
            break
    return events, pages, time.perf_counter() - t0, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        log.info("partners_feed: set DATABASE_URL to a scratch PostgreSQL database; skipped")
        return
    ensure_database(url)
    env = base_env(DATABASE_URL=url, **redis_env())
    log.info(f"writing {args.events} change events …")
    data = migrate_and_run(env, SETUP.format(events=args.events))
    with serve(env={"DATABASE_URL": url, **redis_env()}) as base:
        token = _token(base, data["client_id"], data["secret"])
        read_all(base, token, args.limit)  # warm up: caches, plans, connections
        events, pages, seconds, slowest = read_all(base, token, args.limit)
    verdict = "met" if events == data["events"] and seconds <= 30 else "NOT met"
    log.info(
        f"change feed: {events} events in {pages} pages of {args.limit} in {seconds:.1f} s "
        f"({events / seconds:.0f} events/s, slowest page {slowest:.0f} ms; "
        f"target all {data['events']} in ≤ 30 s: {verdict})"
    )


if __name__ == "__main__":
    main()
