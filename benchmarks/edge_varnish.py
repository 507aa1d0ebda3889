"""Pages through the edge (Varnish with deploy/varnish/default.vcl), and purge-to-fresh.

    .venv/bin/python benchmarks/edge_varnish.py [--seconds 8] [--clients 4] [--revocations 100]

Needs varnishd (Debian: apt-get install varnish) and PostgreSQL: a scratch
database ``bench_edge`` is recreated, migrated and seeded with the portal demo
and ``--revocations`` certificates (never production). gunicorn serves the
project (harness.serve) behind a varnishd running the project's VCL, its
backend pointed at that gunicorn (tests/edge/varnish.py).

1. Throughput through the edge: the news page and a verify page, each next to
   a static file of the same bytes (the page's own HTML, saved under
   STATIC_ROOT and served by whitenoise through the same Varnish), measured
   in turns in the same run. Target: each page ≥ 0.8× its static twin.
   Clients send ``Accept-Encoding: gzip``, as phones do.
2. Purge-to-fresh: for each certificate, its page and API answer are
   requested until the edge holds them (a HIT), the certificate is revoked
   (the app purges its URLs after commit), and the very next request through
   the edge must read 已撤销. Target: 100 of 100, page and API alike.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import certificates_data as data  # noqa: E402
from harness import ROUNDS, free_port, interleaved, log, serve  # noqa: E402

from tests.edge.varnish import Varnish, find_varnishd  # noqa: E402

GZIP = {"Accept-Encoding": "gzip"}


def seed(revocations: int) -> tuple[str, list]:
    """The portal demo and `revocations` + 1 current certificates; (news URL, certificates)."""
    from certificates.services.issuing import certificate_grant
    from cms import demo
    from cms.models import NewsPage
    from lms import demo as lms_demo
    from lms.demo import DemoContext

    ctx = DemoContext(password="bench-pass")
    lms_demo.seed(ctx)
    demo.seed(ctx)
    news = NewsPage.objects.live().get(slug="platform-plan-2020").url
    cert_type = data.certificate_type()
    data.seed_attempts(cert_type, revocations + 1)
    from registry.models import Worker

    certificates = [
        certificate_grant(worker=worker, cert_type=cert_type, acting_user=None, reason="基准测试")
        for worker in Worker.objects.filter(card_number__startswith="BENCH").order_by("pk")[
            : revocations + 1
        ]
    ]
    return news, certificates


def point_sites_at(varnish: Varnish) -> None:
    """The Wagtail site is reached at Varnish's address, so purges carry the Host it caches under."""
    from wagtail.models import Site

    for site in Site.objects.all():
        site.hostname, site.port = "127.0.0.1", varnish.port
        site.save()


def static_twins(static_root: Path, pages: dict[str, str], base: str) -> dict[str, str]:
    """Save each page's HTML, as the app serves it, under STATIC_ROOT; returns /static/ paths."""
    import urllib.request

    twins = {}
    directory = static_root / "edge-bench"
    directory.mkdir(parents=True, exist_ok=True)
    for name, path in pages.items():
        with urllib.request.urlopen(base + path, timeout=30) as response:
            (directory / f"{name}.html").write_bytes(response.read())
        twins[name] = f"/static/edge-bench/{name}.html"
    return twins


def cached(varnish: Varnish, path: str) -> bool:
    """Request `path` until the edge answers it from its cache (at most three times)."""
    return any(varnish.get(path).cache == "HIT" for _ in range(3))


def purge_to_fresh(varnish: Varnish, certificates: list) -> dict:
    from certificates.services.revocation import certificate_revoke

    counts = {"page": 0, "api": 0, "held": 0}
    took = []
    for certificate in certificates:
        page, api = f"/v/{certificate.token}/", f"/api/v1/verify/{certificate.token}"
        if cached(varnish, page) and cached(varnish, api):
            counts["held"] += 1
        started = time.perf_counter()
        certificate_revoke(certificate=certificate, acting_user=None, reason="基准测试")
        took.append((time.perf_counter() - started) * 1000)
        if "已撤销" in varnish.get(page).body:
            counts["page"] += 1
        answer = varnish.get(api)
        if answer.status == 200 and json.loads(answer.body).get("status_label") == "已撤销":
            counts["api"] += 1
    counts["revoke_ms_p50"] = statistics.median(took)
    counts["revoke_ms_max"] = max(took)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--revocations", type=int, default=100)
    parser.add_argument("--database", default="bench_edge")
    args = parser.parse_args()

    binary = find_varnishd()
    if binary is None:
        raise SystemExit("needs varnishd (Debian: apt-get install varnish)")
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as tmp:
        tmp = Path(tmp)
        static_root = tmp / "static"
        static_root.mkdir()
        varnish_port = free_port()
        edge_url = f"http://127.0.0.1:{varnish_port}"
        url = data.prepare(args.database, fresh=True)
        # Tasks run in process here (no broker), and purges go to the edge.
        os.environ.pop("REDIS_URL", None)
        data.setup_django(
            url,
            DJANGO_DEBUG="1",
            FRONTEND_CACHE_URLS=edge_url,
            SITE_URL=edge_url,
            MEDIA_ROOT=str(tmp / "media"),
        )
        log.info("seeding the portal and %d certificates…", args.revocations + 1)
        # Until the edge runs, the purges of the set-up fail, as they should: quietly.
        logging.getLogger("wagtail.frontendcache").setLevel(logging.CRITICAL)
        logging.getLogger("celery").setLevel(logging.WARNING)
        news, certificates = seed(args.revocations)
        verify = f"/v/{certificates[-1].token}/"
        env = {
            "DATABASE_URL": url,
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(tmp / "media"),
        }
        with serve(env=env) as base:
            backend_port = int(base.rsplit(":", 1)[1])
            varnish = Varnish(binary, tmp / "varnish", backend_port=backend_port, port=varnish_port)
            varnish.directory.mkdir()
            point_sites_at(varnish)
            twins = static_twins(static_root, {"news": news, "verify": verify}, base)
        # whitenoise finds files under STATIC_ROOT when it starts: serve again.
        with serve(env=env) as base:
            varnish.backend_port = int(base.rsplit(":", 1)[1])
            varnish.start()
            logging.getLogger("wagtail.frontendcache").setLevel(logging.NOTSET)
            try:
                urls = {
                    "news": edge_url + news,
                    "news static": edge_url + twins["news"],
                    "verify": edge_url + verify,
                    "verify static": edge_url + twins["verify"],
                }
                sizes = {}
                for name, full in urls.items():
                    path = full[len(edge_url) :]
                    varnish.get(path, headers=GZIP)
                    answer = varnish.get(path, headers=GZIP)
                    if answer.cache != "HIT":
                        raise SystemExit(f"{path} is not held by the edge: {answer.headers}")
                    sizes[name] = len(varnish.get(path).body.encode())
                log.info("load average: %.2f", os.getloadavg()[0])
                got = interleaved(urls, seconds=args.seconds, clients=args.clients, headers=GZIP)
                fresh = purge_to_fresh(varnish, certificates[:-1])
            finally:
                varnish.stop()

    log.info("")
    log.info(
        "Through Varnish (%d clients, %s s per URL, %d rounds, Accept-Encoding: gzip)",
        args.clients,
        args.seconds,
        ROUNDS,
    )
    log.info(
        f"{'URL':<16}{'bytes':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'vs static':>11}"
    )
    for name in ("news", "news static", "verify", "verify static"):
        r = got[name]
        twin = got.get(f"{name} static")
        ratio = f"{r.rps / twin.rps:.2f}×" if twin else ""
        log.info(
            f"{name:<16}{sizes[name]:>8}{r.rps:>10.0f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
            f"{r.errors:>8}{ratio:>11}"
        )
    for name in ("news", "verify"):
        ratio = got[name].rps / got[f"{name} static"].rps
        log.info(
            f"{name}: {ratio:.2f}× the static file of the same size (target ≥ 0.8×: {'met' if ratio >= 0.8 else 'NOT met'})"
        )
    n = len(certificates) - 1
    log.info("")
    log.info(
        f"Purge-to-fresh: {fresh['page']}/{n} pages and {fresh['api']}/{n} API answers read 已撤销 "
        f"on the next request ({fresh['held']}/{n} were held by the edge before; "
        f"revoke + purge p50 {fresh['revoke_ms_p50']:.1f} ms, max {fresh['revoke_ms_max']:.1f} ms) "
        f"(target {n}/{n}: {'met' if fresh['page'] == fresh['api'] == n else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
