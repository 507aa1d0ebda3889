"""The verify page with the door status (issue #8), as a ratio to the bare view (target ≥ 0.5×).

    .venv/bin/python benchmarks/trust_verify.py [--seconds 8]

Uses the scratch PostgreSQL database ``bench_trust`` (created and migrated if
missing) and, if REDIS_URL is set, Redis as the cache (REDIS_CACHE_DB). The
holder has insurance, visits and ratings, so the door status reads every
table it depends on. Measured: the household's scan (anonymous: the rendered
answer is shared for a minute), the same page rendered on every request (a
session cookie bypasses the shared answer), and the API.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import certificates_data as data  # noqa: E402
from harness import log, measure, ratio_report, redis_env, serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", default="bench_trust")
    args = parser.parse_args()

    url = data.prepare(args.database)
    data.setup_django(url, DJANGO_DEBUG="1")
    from django.utils import timezone

    from registry.models import Insurance, ServiceVisit
    from registry.services.insurance import insurance_add
    from registry.services.visits import rating_submit, visit_confirm

    certificate = data.granted_certificate(data.certificate_type())
    worker = certificate.worker
    today = timezone.localdate()
    if not Insurance.objects.filter(worker=worker).exists():
        insurance_add(
            worker=worker,
            insurer="基准保险公司",
            policy_number="BENCH000001",
            start_date=today - datetime.timedelta(days=10),
            end_date=today + datetime.timedelta(days=355),
        )
    while ServiceVisit.objects.filter(worker=worker).count() < 20:
        _visit, token = visit_confirm(worker=worker, service_date=today, district="xuhui")
        rating_submit(token=token, stars=5)
    token = certificate.token
    env = {"DATABASE_URL": url, **redis_env()}
    log.info(
        f"load average: {os.getloadavg()[0]:.2f}; cache: {'redis' if 'REDIS_URL' in env else 'locmem'}"
    )
    rendered = {"Cookie": "sessionid=benchmark-no-such-session"}
    with serve(env=env) as base:
        measure(base + f"/v/{token}/", seconds=1, clients=1)  # warm up
        bare = measure(base + "/health/live", seconds=args.seconds, clients=args.clients)
        page = measure(base + f"/v/{token}/", seconds=args.seconds, clients=args.clients)
        fresh = measure(
            base + f"/v/{token}/", seconds=args.seconds, clients=args.clients, headers=rendered
        )
        api = measure(base + f"/api/v1/verify/{token}", seconds=args.seconds, clients=args.clients)
    log.info(ratio_report("verify page with door status (household scan)", page, bare))
    log.info(ratio_report("verify page rendered every request", fresh, bare))
    log.info(ratio_report("verify API with door status", api, bare))


if __name__ == "__main__":
    main()
