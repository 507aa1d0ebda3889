"""Benchmark (issue #11): city dashboard, warning rules and monthly report at city scale.

On a seed_scale database of 300,000 workers (scratch PostgreSQL, loopback, from
DATABASE_URL; see dashboards_agency.py for the preparation) a city regulator
with a static second factor signs in, then gunicorn is measured on the city
statistics dashboard (/admin/dashboards/supervision/, target p95 ≤ 1 s) and the
regulator's admin home, each also as a ratio to /health/live in the same run.
Both read the figures that ``dashboards.selectors.cached_figures`` keeps in the
cache (set REDIS_URL to share it between gunicorn workers, as in production); the time
of one full aggregation, which the beat task pays every few minutes, is
reported separately.
In this process it then times one full run of the warning rules
(``dashboards.rules.warnings_evaluate``, target ≤ 60 s; a first run opens the
warnings, a second refreshes them) and the monthly report
(``dashboards.services.monthly_report_generate``: figures, PDF and XLSX,
target ≤ 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboards \\
        .venv/bin/python benchmarks/dashboards_supervision.py --seconds 15
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboards_common import (  # noqa: E402
    PASSWORD,
    Session,
    bench_user,
    database_url_from_env,
    fill,
    log_p95,
    measure_pages,
    setup_django,
)
from harness import log, serve  # noqa: E402

TARGET_P95_MS = 1000
TARGET_JOB_S = 60
PAGES = {
    "city": "/admin/dashboards/supervision/",  # the city statistics dashboard
    "home": "/admin/",  # the regulator's admin home (panel with key figures)
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15, help="per measured URL")
    parser.add_argument("--clients", type=int, default=2, help="closed-loop clients")
    parser.add_argument("--no-fill", action="store_true", help="skip adding course/exam rows")
    parser.add_argument("--no-http", action="store_true", help="only time the rules and report")
    parser.add_argument(
        "--page",
        action="append",
        choices=sorted(PAGES),
        help="measure only these pages (repeatable; default: all)",
    )
    args = parser.parse_args()

    url = database_url_from_env()
    setup_django(url)
    from django.db import connections
    from django.utils import timezone

    from lms.accounts.roles import Role
    from registry.models import Agency, Worker

    if not args.no_fill:
        fill()
    username, codes = bench_user("bench_city", role=Role.CITY_REGULATOR)
    log.info(f"dataset: {Worker.objects.count()} workers, {Agency.objects.count()} agencies")

    if not args.no_http:
        connections.close_all()
        with serve(env={"DATABASE_URL": url}) as base:
            session = Session(base)
            session.sign_in(username, PASSWORD, codes[0])
            headers = session.cookie_header()
            pages = {name: PAGES[name] for name in (args.page or PAGES)}
            bare, results = measure_pages(
                base, headers, pages, seconds=args.seconds, clients=args.clients
            )
        log_p95(results, bare, TARGET_P95_MS)

    from dashboards.selectors import cached_figures

    # What the cache saves every page view: one aggregation of the whole city,
    # as the beat task (and a stale or cold page view) runs it.
    t0 = time.perf_counter()
    cached_figures.compute("city")
    log.info(
        "city figures aggregated in the database (dashboards.selectors.cached_figures.compute): "
        f"{time.perf_counter() - t0:.1f}s"
    )
    from dashboards.rules import warnings_evaluate
    from dashboards.selectors.figures import previous_month
    from dashboards.services import monthly_report_generate

    for label in ("first run", "second run"):
        t0 = time.perf_counter()
        evaluation = warnings_evaluate()
        elapsed = time.perf_counter() - t0
        log.info(
            f"warning rules ({label}): {elapsed:.1f}s — opened {len(evaluation.opened)}, "
            f"refreshed {evaluation.refreshed}, closed {evaluation.closed}, "
            f"skipped {list(evaluation.skipped)}; target ≤ {TARGET_JOB_S} s: "
            f"{'met' if elapsed <= TARGET_JOB_S else 'NOT met'}"
        )
    month = previous_month(timezone.localdate())
    t0 = time.perf_counter()
    report = monthly_report_generate(month=month)
    elapsed = time.perf_counter() - t0
    log.info(
        f"monthly report {month:%Y-%m} (figures + PDF {report.pdf.size} B + XLSX "
        f"{report.xlsx.size} B): {elapsed:.1f}s; target ≤ {TARGET_JOB_S} s: "
        f"{'met' if elapsed <= TARGET_JOB_S else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
