"""Throughput of a news page, cached and uncached, as ratios to the bare view.

    .venv/bin/python benchmarks/cms_news.py [--seconds 8] [--clients 4]

Builds a scratch SQLite database in a temporary directory (or uses
``DATABASE_URL`` when set: a scratch database, never production), seeds the
portal demo (home, news index with 14 items, FAQ, guide prices) plus a stock
``wagtailcore.Page``, then serves the project twice with gunicorn on loopback
(benchmarks/harness.py):

1. as configured (the page cache on; Redis when ``REDIS_URL`` is set, else
   each gunicorn worker's local memory): the news page as an anonymous visitor
   sees it, served from the cache — target ≥ 0.6× the bare view;
2. with the page cache off (``benchmarks/cms_settings_nocache.py``): the same
   news page rendered every time (as for a signed-in visitor), next to a
   StandardPage (the same layout, header menu and footer) and a stock
   Wagtail page (``wagtailcore.Page``, Wagtail's own title-only template,
   routed the stock way) — target: the news page no slower than the stock
   page. Routes and shared fragments (cms/cache.py) stay on, as in
   production;
3. with those off too (``benchmarks/cms_settings_cold.py``): every rendering
   walks the page tree and renders everything, as the first rendering after
   a publish does (reported, not a target: docs/decisions.md, "What
   'uncached' means").

On Redis, the cached phase includes each process's near cache of hot pages
(``CMS_PAGE_NEAR_CACHE_ENTRIES=0`` in the environment turns it off, to compare).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, ROOT, Result, base_env, log, measure, ratio_report, serve  # noqa: E402

# The machine is shared: measuring each URL in short turns, round after round,
# exposes every URL to the same background load, so the ratios stay fair.
ROUNDS = 4

SETUP = r"""
import json
import sys
import django
django.setup()
from wagtail.models import Page
from cms import demo
from cms.models import NewsPage, StandardPage
from lms import demo as lms_demo
from lms.demo import DemoContext

ctx = DemoContext(password="bench-pass")
lms_demo.seed(ctx)
demo.seed(ctx)
home = ctx.data["home_page"]
stock = home.get_children().filter(slug="stock").first()
if stock is None:
    stock = Page(title="Stock Wagtail page", slug="stock")
    home.add_child(instance=stock)
    stock.save_revision().publish()
sys.stdout.write(json.dumps({
    "news": NewsPage.objects.get(slug="platform-plan-2020").url,
    "standard": StandardPage.objects.get(slug="faq").url,
    "stock": stock.url,
}))
"""


def prepare(env: dict) -> dict:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    out = subprocess.run(
        [PYTHON, "-c", SETUP],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "lms.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _check_cache_state(url: str, expected: str | None) -> None:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        state = response.headers.get("X-Page-Cache")
    if state != expected:
        raise SystemExit(f"{url}: X-Page-Cache is {state!r}, expected {expected!r}")


def interleaved(urls: dict[str, str], seconds: float, clients: int) -> dict[str, Result]:
    """Each URL measured for seconds/ROUNDS at a time, in turn, ROUNDS times; totals per URL."""
    parts: dict[str, list[Result]] = {name: [] for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            parts[name].append(measure(url, seconds=seconds / ROUNDS, clients=clients))
    totals = {}
    for name, results in parts.items():
        totals[name] = Result(
            url=results[0].url,
            requests=sum(r.requests for r in results),
            errors=sum(r.errors for r in results),
            seconds=sum(r.seconds for r in results),
            p50_ms=sorted(r.p50_ms for r in results)[len(results) // 2],
            p95_ms=max(r.p95_ms for r in results),
        )
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    run = {"seconds": args.seconds, "clients": args.clients}

    with tempfile.TemporaryDirectory(prefix="cms-bench-") as tmp:
        extra = {"MEDIA_ROOT": str(Path(tmp) / "media")}
        if not os.environ.get("DATABASE_URL"):
            extra["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        urls = prepare(base_env(**extra))

        with serve(env=extra) as base:
            measure(base + urls["news"], seconds=1, clients=2)  # warm up and fill the cache
            _check_cache_state(base + urls["news"], "hit")
            got = interleaved({"bare": base + "/health/live", "news": base + urls["news"]}, **run)
        log.info(
            ratio_report("news page, anonymous, from the page cache", got["news"], got["bare"])
        )

        for settings_module, label, is_target in (
            ("cms_settings_nocache", "page cache off", True),
            ("cms_settings_cold", "page cache, routes and fragments off", False),
        ):
            uncached = {
                **extra,
                "DJANGO_SETTINGS_MODULE": settings_module,
                "PYTHONPATH": str(ROOT / "benchmarks"),
            }
            with serve(env=uncached) as base:
                for name in ("news", "standard", "stock"):  # warm up
                    measure(base + urls[name], seconds=1, clients=2)
                _check_cache_state(base + urls["news"], None)
                got = interleaved(
                    {
                        "bare": base + "/health/live",
                        "news": base + urls["news"],
                        "standard": base + urls["standard"],
                        "stock": base + urls["stock"],
                    },
                    **run,
                )
            bare, news, standard, stock = got["bare"], got["news"], got["standard"], got["stock"]
            log.info(ratio_report(f"news page, rendered ({label})", news, bare))
            log.info(ratio_report(f"standard page, rendered ({label})", standard, bare))
            log.info(ratio_report(f"stock wagtailcore.Page, bare template ({label})", stock, bare))
            if is_target:
                verdict = "target ≥ 1: " + ("met" if news.rps >= stock.rps else "NOT met")
            else:
                verdict = "the first render after a publish; no target, see docs/decisions.md"
            log.info(
                f"{label}: news / stock page {news.rps / stock.rps:.2f}× ({verdict}); "
                f"news / standard page {news.rps / standard.rps:.2f}×"
            )


if __name__ == "__main__":
    main()
