"""PDF render throughput per core: certificates (A4) and cards, with photo, seal, QR and CJK font.

    .venv/bin/python benchmarks/certificates_pdf.py [--seconds 10] [--processes 1]

Each certificate differs (name, number, token, agency, photo) as in a bulk
regeneration. One process is one core; ``--processes 2`` shows the scaling.
Target: ≥ 150 certificates per second per core (A4 certificate).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import date
from pathlib import Path

from harness import fan_out, log

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-" + "k" * 50)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉梅凤英丽娟春燕海燕小红金花翠兰美玲"
AGENCIES = ["上海阿姨帮家政服务有限公司", "上海巾帼家政服务社", "上海徐汇好帮手家政服务有限公司"]


def _setup():
    import django

    django.setup()


def _contents(n: int):
    from certificates import pdf
    from certificates.demo import make_photo_jpeg, make_seal_png
    from registry.photos import process_photo

    seal = make_seal_png()
    # Photos as the registry stores them (600 × 800 JPEG), a few different ones.
    photos = [process_photo(make_photo_jpeg(i, size=(900, 1200))).photo for i in range(8)]
    items = []
    for i in range(n):
        name = SURNAMES[i % len(SURNAMES)] + "*" + GIVEN[(i * 7) % len(GIVEN)]
        items.append(
            pdf.CertificateContent(
                number=f"SH-JZ-2026-{i + 1:06d}",
                type_name="上门服务证",
                title="上门服务证",
                wording="该同志已完成上海市家政服务员上门服务培训课程，经考核成绩合格，"
                "准予从事上门家政服务，特发此证。",
                issuer="上海市商务委员会",
                holder_name=name,
                issued_on=date(2026, 3, 1),
                expires_on=date(2029, 2, 28),
                verify_url=f"https://jz.example.gov.cn/v/{secrets.token_urlsafe(24)}/",
                card_number=f"****{i % 10000:04d}",
                agency_name=AGENCIES[i % len(AGENCIES)],
                photo=photos[i % len(photos)],
                seal=seal,
            )
        )
    return items


def _run(kind: str, seconds: float, queue) -> None:
    _setup()
    from certificates import pdf

    render = {"certificate": pdf.render_certificate, "card": pdf.render_card}[kind]
    items = _contents(500)
    render(items[0])  # warm up: font parsing, seal
    count, size = 0, 0
    end = time.perf_counter() + seconds
    t0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() < end:
        size += len(render(items[count % len(items)]))
        count += 1
    queue.put((count, time.perf_counter() - t0, time.process_time() - cpu0, size))


def measure(kind: str, seconds: float, processes: int) -> tuple[float, float]:
    results, _elapsed = fan_out(_run, [(kind, seconds)] * processes)
    total = sum(r[0] for r in results)
    wall_rate = sum(r[0] / r[1] for r in results)
    # Per core: documents per CPU-second actually used, so other load on a
    # shared machine does not count against the renderer.
    cpu_rate = total / sum(r[2] for r in results)
    avg_kb = sum(r[3] for r in results) / total / 1024
    return wall_rate, cpu_rate, avg_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    _setup()
    from certificates.pdf import font_is_embedded

    log.info(f"font embedded: {font_is_embedded()}; processes: {args.processes}")
    log.info(f"load average before: {os.getloadavg()[0]:.2f}")
    for kind in ("certificate", "card"):
        wall, per_core, kb = measure(kind, args.seconds, args.processes)
        verdict = "" if kind == "card" else (" OK ≥ 150" if per_core >= 150 else " BELOW 150")
        log.info(
            f"{kind}: {per_core:.0f}/s per core (per CPU-second){verdict}; "
            f"{wall:.0f}/s wall-clock with {args.processes} process(es); {kb:.0f} KB each"
        )


if __name__ == "__main__":
    main()
