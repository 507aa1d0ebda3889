"""Throughput of a news page at the origin, as ratios to the bare view.

    .venv/bin/python benchmarks/cms_news.py [--seconds 8] [--clients 4]

Builds a scratch SQLite database in a temporary directory (or uses
``DATABASE_URL`` when set: a scratch database, never production), seeds the
portal demo (home, news index with 14 items, FAQ, guide prices) plus a stock
``wagtailcore.Page``, then serves the project with gunicorn on loopback
(benchmarks/harness.py) and measures, interleaved with the bare view, the
news page, a StandardPage (the same layout, header menu and footer) and a
stock Wagtail page (Wagtail's own title-only template) — target: the news
page no slower than the stock page. This is what every edge-cache miss costs
(the first request after a publish, or any request without an edge); through
the edge, see benchmarks/edge_varnish.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    base_env,
    interleaved,
    log,
    measure,
    migrate_and_run,
    ratio_report,
    serve,
)

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
        urls = migrate_and_run(base_env(**extra), SETUP)

        with serve(env=extra) as base:
            for name in ("news", "standard", "stock"):  # warm up
                measure(base + urls[name], seconds=1, clients=2)
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
        log.info(ratio_report("news page, rendered at the origin", news, bare))
        log.info(ratio_report("standard page, rendered at the origin", standard, bare))
        log.info(ratio_report("stock wagtailcore.Page, bare template", stock, bare))
        verdict = "met" if news.rps >= stock.rps else "NOT met"
        log.info(
            f"news / stock page {news.rps / stock.rps:.2f}× (target ≥ 1: {verdict}); "
            f"news / standard page {news.rps / standard.rps:.2f}×"
        )


if __name__ == "__main__":
    main()
