"""Benchmark: public worker trace lookup by card number against 300,000 workers.

Reports the lookup page's throughput as a ratio to the bare view
(``/health/live``) served by the same gunicorn in the same run. Target ≥ 0.3×.

    .venv/bin/python benchmarks/registry_lookup.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_registry --workers 300000

The database is a scratch one: it is created if missing, migrated, filled
with ``seed_scale`` (skipped when already full), given the histories a real
answer shows (``registry_histories.py``: employments, credit records,
insurance, visits, certificates; once) and one lookup page.

One server at the origin (answers are private: no cache keeps them), measured
for four kinds of request next to the bare view, each reported with the
server-side CPU it cost per request (gunicorn, PostgreSQL, Redis;
``harness.server_cpu``):

* **repeated card**: every request looks up the same card;
* **distinct cards**: each request looks up a card never asked before in
  this run (the cost of a first lookup);
* **miss**: an unknown card number, repeated;
* **lookup page, no query**: the page with its empty form (Wagtail serving
  and the page's render, no rate limit, no lookup; public at the edge in
  production): with the miss, it splits a lookup's cost into serving the
  page, asking, and answering.

The per-client rate limit stays **on** (``RATELIMIT_ENABLE=1``) with a budget
too large to refuse, so every lookup pays for its rate-limit check as it
does in production.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    PYTHON,
    ROOT,
    Result,
    base_env,
    cpu_report,
    ensure_database,
    fan_out,
    log,
    manage,
    measure,
    p50_p95,
    ratio_report,
    serve,
    server_cpu,
)

#: Distinct cards fetched for the "distinct cards" run; more than a run can ask for.
DISTINCT_CARDS = 40_000

PAGE_SCRIPT = r"""
import json
import sys
from django.db.models import F
from wagtail.models import Page, Site
from registry.models import Worker, WorkerTraceLookupPage
page = WorkerTraceLookupPage.objects.filter(slug="bench-trace").first()
if page is None:
    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page if site else Page.get_first_root_node()
    page = WorkerTraceLookupPage(title="家政服务员信息查询", slug="bench-trace")
    parent.add_child(instance=page)
if page.live_revision_id is None:
    page.save_revision().publish()
count = Worker.objects.count()
cards = Worker.objects.filter(card_number__isnull=False).order_by("card_number")
card = cards.values_list("card_number", flat=True)[count // 2]
step = max(1, count // DISTINCT)
spread = list(
    cards.annotate(bucket=F("id") % step)
    .filter(bucket=0)
    .order_by("?")
    .values_list("card_number", flat=True)[:DISTINCT]
)
named = Worker.objects.filter(card_number=card).values_list("name", "id_last4").first()
sys.stdout.write(json.dumps({
    "url": page.url, "card": card, "count": count, "spread": spread,
    "name": named[0], "id_last4": named[1],
}) + "\n")
"""


def _walk(base: str, paths: list[str], seconds: float, queue) -> None:
    """One closed-loop client asking each of `paths` once, in order (wrapping if it runs out)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies, errors, i = [], 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        path = paths[i % len(paths)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
    queue.put((latencies, errors, i > len(paths)))


def measure_spread(base: str, paths: list[str], seconds: float, clients: int) -> Result:
    """Like harness.measure, but each client walks its own share of `paths`, each once."""
    results, elapsed = fan_out(_walk, [(base, paths[n::clients], seconds) for n in range(clients)])
    if any(wrapped for _, _, wrapped in results):
        log.warning("distinct cards ran out: some cards were asked twice (raise DISTINCT_CARDS)")
    latencies = sorted(x for lat, _, _ in results for x in lat)
    p50, p95 = p50_p95(latencies)
    return Result(
        url=f"{base}{paths[0].split('?')[0]}?card_number=<{len(paths)} distinct>",
        requests=len(latencies),
        errors=sum(e for _, e, _ in results),
        seconds=elapsed,
        p50_ms=p50,
        p95_ms=p95,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_registry"
    )
    parser.add_argument("--workers", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    ensure_database(args.database_url)
    env = base_env(DATABASE_URL=args.database_url, DJANGO_DEBUG="1")
    manage(env, "migrate", "-v0")
    manage(env, "seed_scale", "--workers", str(args.workers))
    # Employments, credit records, insurance, visits and certificates: a real answer's size.
    subprocess.run([PYTHON, "benchmarks/registry_histories.py"], cwd=ROOT, env=env, check=True)
    script = f"DISTINCT = {DISTINCT_CARDS}\n{PAGE_SCRIPT}"
    setup = json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])
    page_url, card = setup["url"], setup["card"]
    log.info(f"{setup['count']} workers; looking up card {card} at {page_url}")
    spread = [f"{page_url}?card_number={c}" for c in setup["spread"]]

    server_env = {
        "DATABASE_URL": args.database_url,
        # The rate limit is checked on every lookup, with a budget no run exhausts.
        "RATELIMIT_ENABLE": "1",
        "PUBLIC_LOOKUP_RATE": "100000000/m",
    }
    with serve(env=server_env) as base:
        lookup_url = f"{base}{page_url}?card_number={card}"
        miss_url = f"{base}{page_url}?card_number=SHJZ99999999"
        # Warm up (connections, template caches), never on the spread.
        for url in (base + "/health/live", lookup_url, miss_url):
            measure(url, seconds=1, clients=1)
        plan = [
            ("bare view", base + "/health/live"),
            ("lookup page, no query", base + page_url),
            ("trace by card, repeated card", lookup_url),
            ("trace by card, distinct cards", spread),
            ("trace by card, miss", miss_url),
        ]
        measured = {}
        for name, target in plan:
            with server_cpu() as spent:
                if isinstance(target, list):
                    result = measure_spread(base, target, args.seconds, args.clients)
                else:
                    result = measure(target, seconds=args.seconds, clients=args.clients)
            measured[name] = (result, spent)
    bare, spent = measured.pop("bare view")
    log.info(f"bare view: {cpu_report(spent, bare)}")
    for name, (result, spent) in measured.items():
        log.info(ratio_report(name, result, bare))
        log.info(f"  {cpu_report(spent, result)}")
    for name in ("trace by card, repeated card", "trace by card, distinct cards"):
        ratio = measured[name][0].rps / bare.rps if bare.rps else 0
        log.info(f"{name}: target ≥ 0.30×: {'met' if ratio >= 0.3 else 'NOT met'} ({ratio:.2f}×)")


if __name__ == "__main__":
    main()
