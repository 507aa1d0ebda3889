"""Benchmark: public worker trace lookup by card number against 300,000 workers.

Reports the lookup page's throughput as a ratio to the bare view
(``/health/live``) served by the same gunicorn in the same run. Target ≥ 0.3×.

    .venv/bin/python benchmarks/registry_lookup.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_registry --workers 300000

The database is a scratch one: it is created if missing, migrated, filled
with ``seed_scale`` (skipped when already full) and given one lookup page.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, base_env, log, measure, ratio_report, serve  # noqa: E402

PAGE_SCRIPT = """
import sys
from wagtail.models import Page, Site
from registry.models import Worker, WorkerTraceLookupPage
page = WorkerTraceLookupPage.objects.filter(slug="bench-trace").first()
if page is None:
    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page if site else Page.get_first_root_node()
    page = WorkerTraceLookupPage(title="家政服务员信息查询", slug="bench-trace")
    parent.add_child(instance=page)
    page.save_revision().publish()
count = Worker.objects.count()
card = Worker.objects.filter(card_number__isnull=False).order_by("card_number").values_list(
    "card_number", flat=True)[count // 2]
sys.stdout.write(f"{page.url}\n{card}\n{count}\n")
"""


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_registry"
    )
    parser.add_argument("--workers", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    _ensure_database(args.database_url)
    env = base_env(DATABASE_URL=args.database_url, DJANGO_DEBUG="1")
    _manage(env, "migrate", "-v0")
    _manage(env, "seed_scale", "--workers", str(args.workers))
    page_url, card, count = _manage(env, "shell", "-c", PAGE_SCRIPT, capture=True).split()[-3:]
    log.info(f"{count} workers; looking up card {card} at {page_url}")

    results = {}
    for label, cache_seconds in (("cached", "60"), ("uncached", "0")):
        server_env = {
            "DATABASE_URL": args.database_url,
            "REGISTRY_LOOKUP_CACHE_SECONDS": cache_seconds,
        }
        with serve(env=server_env) as base:
            lookup_url = f"{base}{page_url}?card_number={card}"
            miss_url = f"{base}{page_url}?card_number=SHJZ99999999"
            # Warm up (connections, template caches, the lookup cache).
            for url in (base + "/health/live", lookup_url, miss_url):
                measure(url, seconds=1, clients=1)
            bare = measure(base + "/health/live", seconds=args.seconds, clients=args.clients)
            hit = measure(lookup_url, seconds=args.seconds, clients=args.clients)
            miss = measure(miss_url, seconds=args.seconds, clients=args.clients)
        log.info(ratio_report(f"trace lookup by card, hit ({label})", hit, bare))
        log.info(ratio_report(f"trace lookup by card, miss ({label})", miss, bare))
        results[label] = hit.rps / bare.rps if bare.rps else 0
    for label, ratio in results.items():
        log.info(f"{label}: target ≥ 0.30×: {'met' if ratio >= 0.3 else 'NOT met'} ({ratio:.2f}×)")


if __name__ == "__main__":
    main()
