"""Verification page and API throughput as a ratio to the bare view (target ≥ 0.5×).

    .venv/bin/python benchmarks/certificates_verify.py [--seconds 10]

Uses the scratch PostgreSQL database ``bench_certificates`` (created and
migrated if missing) and, if REDIS_URL is set, Redis as the cache (its
database numbers from REDIS_CACHE_DB / REDIS_BROKER_DB).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import certificates_data as data  # noqa: E402
from harness import log, measure, ratio_report, redis_env, serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", default="bench_certificates")
    args = parser.parse_args()

    url = data.prepare(args.database)
    data.setup_django(url, DJANGO_DEBUG="1")
    token = data.granted_certificate(data.certificate_type()).token
    env = {"DATABASE_URL": url, **redis_env()}
    log.info(
        f"load average: {os.getloadavg()[0]:.2f}; cache: {'redis' if 'REDIS_URL' in env else 'locmem'}"
    )
    with serve(env=env) as base:
        measure(base + f"/v/{token}/", seconds=1, clients=1)  # warm up
        bare = measure(base + "/health/live", seconds=args.seconds, clients=args.clients)
        page = measure(base + f"/v/{token}/", seconds=args.seconds, clients=args.clients)
        api = measure(base + f"/api/v1/verify/{token}", seconds=args.seconds, clients=args.clients)
        miss = measure(base + "/v/" + "x" * 32 + "/", seconds=args.seconds, clients=args.clients)
    log.info(ratio_report("verify page /v/<token>/", page, bare))
    log.info(ratio_report("verify API /api/v1/verify/<token>", api, bare))
    log.info(ratio_report("verify miss (404)", miss, bare))


if __name__ == "__main__":
    main()
