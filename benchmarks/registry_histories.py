"""Give a ``seed_scale`` population the histories a real lookup shows (scratch databases only).

``seed_scale`` makes filed workers with cards and nothing else, so a lookup
against it decodes and renders an empty history: lighter than a real one.
:func:`fill` adds, deterministically from each worker's id, what the public
lookup reads:

* employment histories: an open employment at the worker's agency for about
  85 % of workers, one earlier (ended) employment for about half, a second
  for about a quarter;
* credit records for about 6 % (commendations, complaints, violations, a few
  blacklistings), public, counting for two years;
* liability insurance for about 60 % (a current policy; an expired one before
  it for a third of those), policy numbers encrypted like real ones;
* confirmed visits in the last 12 months for about a quarter (1 to 4 each),
  rated 3 to 5 stars for most, some with an approved comment;
* a current certificate for about half (1 % of them revoked), of one
  benchmark certificate type.

Runs once per database (marker: the certificate type ``BENCHLK``); the
lookup benchmark calls it after ``seed_scale``. Standalone::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_registry \\
        .venv/bin/python benchmarks/registry_histories.py
"""

# ruff: noqa: S608 -- set-based fill SQL built from integers and constants, no user input
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboards_common import _h, database_url_from_env, setup_django  # noqa: E402
from harness import log  # noqa: E402

MARKER = "BENCHLK"
POLICY_BATCH = 5_000

STEPS = [
    (
        "ended employments",
        # One earlier employment for half the workers, a second, older one for a quarter.
        """
        WITH agencies AS (SELECT array_agg(id ORDER BY id) AS ids FROM registry_agency)
        INSERT INTO registry_employment (worker_id, agency_id, start_date, end_date)
        SELECT w.id,
               agencies.ids[1 + mod(abs(hashtext(e.agency_salt || w.id::text)) % 300,
                                    cardinality(agencies.ids))],
               s.on_, s.on_ + e.least_days + abs(hashtext(e.end_salt || w.id::text)) % e.more_days
        FROM registry_worker w
        CROSS JOIN agencies
        CROSS JOIN (VALUES ('pa', 'pe', 'ps', 'p1', 1500, 1000, 300, 400, 50),
                           ('oa', 'oe', 'os', 'o2', 3600, 800, 200, 600, 25))
            AS e(agency_salt, end_salt, start_salt, share_salt, back_days, spread_days,
                 least_days, more_days, share)
        CROSS JOIN LATERAL (
            SELECT current_date - e.back_days
                   - abs(hashtext(e.start_salt || w.id::text)) % e.spread_days AS on_
        ) s
        WHERE w.card_number IS NOT NULL
          AND abs(hashtext(e.share_salt || w.id::text)) % 100 < e.share
        """,
    ),
    (
        "open employments",
        f"""
        INSERT INTO registry_employment (worker_id, agency_id, branch_id, start_date)
        SELECT w.id, w.agency_id, w.branch_id, current_date - {_h("cs", modulo=700)}
        FROM registry_worker w
        WHERE w.card_number IS NOT NULL AND w.agency_id IS NOT NULL AND {_h("c1")} < 85
          AND NOT EXISTS (SELECT 1 FROM registry_employment x
                          WHERE x.worker_id = w.id AND x.end_date IS NULL)
        """,
    ),
    (
        "credit records",
        f"""
        INSERT INTO registry_creditrecord (kind, source, occurred_on, description, is_public,
                                           expires_on, created_at, worker_id)
        SELECT k.kind, k.source, o.on_, k.description, true, o.on_ + 730, now(), w.id
        FROM registry_worker w
        CROSS JOIN LATERAL (SELECT current_date - {_h("ro", modulo=900)} AS on_) o
        CROSS JOIN LATERAL (
            SELECT CASE WHEN {_h("rk")} < 3 THEN 'blacklist'
                        WHEN {_h("rk")} < 13 THEN 'violation'
                        WHEN {_h("rk")} < 43 THEN 'complaint'
                        ELSE 'commendation' END AS kind,
                   CASE WHEN {_h("rk")} < 43 THEN '区市场监管局' ELSE '上海市家庭服务业行业协会' END
                       AS source,
                   CASE WHEN {_h("rk")} < 43 THEN '雇主投诉经核实：服务时间未按约定履行。'
                        ELSE '年度优秀家政服务员。' END AS description
        ) k
        WHERE w.card_number IS NOT NULL AND {_h("r1", modulo=1000)} < 60
        """,
    ),
    (
        "visits",
        f"""
        INSERT INTO registry_servicevisit (worker_id, service_date, district, contact_encrypted,
            contact_masked, confirmed_at, scanned_via, rating_token_hash, rating_link_expires_at)
        SELECT w.id, c.at::date, 'huangpu', '', '', c.at, 'printed',
               md5('v' || w.id || '-' || g) || md5('w' || w.id || '-' || g),
               c.at + interval '7 days'
        FROM registry_worker w
        CROSS JOIN LATERAL generate_series(1, 1 + {_h("vn", modulo=4)}) g
        CROSS JOIN LATERAL (SELECT now() - ((({_h("vd", modulo=330)} + 7 * g) || ' days')::interval)
                                AS at) c
        WHERE w.card_number IS NOT NULL AND {_h("v1")} < 25
        """,
    ),
    (
        "ratings",
        f"""
        INSERT INTO registry_visitrating (visit_id, stars, comment, status, moderation_note,
                                          created_at)
        SELECT v.id, 3 + {_h("rs", "v.id", 3)},
               CASE WHEN {_h("rc", "v.id")} < 30 THEN '准时到岗，做事细心，老人很满意。' ELSE '' END,
               CASE WHEN {_h("rc", "v.id")} < 30 THEN 'approved' ELSE 'pending' END,
               '', v.confirmed_at + interval '1 day'
        FROM registry_servicevisit v
        WHERE NOT EXISTS (SELECT 1 FROM registry_visitrating r WHERE r.visit_id = v.id) AND {_h("r2", "v.id")} < 70
        """,
    ),
    (
        "certificates",
        f"""
        INSERT INTO certificates_certificate (number, token, card_number, issued_on, expires_on,
            revision, revoked_at, revoked_reason, pdf, pdf_revision, created_at, agency_id,
            worker_id, type_id, card_pdf, origin, pdf_fonts)
        SELECT 'BENCHLK' || lpad(w.id::text, 10, '0'), md5('bench-lookup' || w.id), w.card_number,
               i.on_, i.on_ + 1080, 1,
               CASE WHEN {_h("cv", modulo=1000)} < 10 THEN now() - interval '3 days' END,
               '', '', '', now(), w.agency_id, w.id, __TYPE__, '', 'issue', ''
        FROM registry_worker w
        CROSS JOIN LATERAL (SELECT current_date - {_h("ci", modulo=1000)} AS on_) i
        WHERE w.card_number IS NOT NULL AND {_h("c2")} < 50
        """,
    ),
]


def fill(*, say=log.info) -> None:
    """Add the histories (once per database)."""
    from django.db import connection, transaction

    from certificates.models import CertificateType

    if CertificateType.objects.filter(code=MARKER).exists():
        say("histories: already there")
        return
    with transaction.atomic():
        ctype = CertificateType.objects.create(
            name="家政服务员（基准测试）", code=MARKER, issuing_authority="基准测试"
        )
        for name, sql in STEPS:
            start = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("__TYPE__", str(int(ctype.pk))))
                say(f"histories: {name}: {cursor.rowcount} rows ({time.monotonic() - start:.1f}s)")
        _insurances(say)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _insurances(say) -> None:
    """Policies in Python: their numbers are encrypted and hashed with the project's keys."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from lms.crypto import encrypt, lookup_hash
    from registry.models import Insurance

    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.id, {_h('is', modulo=300)}, {_h('i2')} < 33 FROM registry_worker w"
            f" WHERE w.card_number IS NOT NULL AND {_h('i1')} < 60 ORDER BY w.id"
        )
        rows = cursor.fetchall()
    start, done = time.monotonic(), 0
    for first in range(0, len(rows), POLICY_BATCH):
        policies = []
        for worker_id, days, lapsed_before in rows[first : first + POLICY_BATCH]:
            begins = today - datetime.timedelta(days=days)
            terms = [(begins, begins + datetime.timedelta(days=365))]
            if lapsed_before:
                earlier = begins - datetime.timedelta(days=500)
                terms.append((earlier, earlier + datetime.timedelta(days=365)))
            for n, (on, until) in enumerate(terms):
                number = f"PBENCH{worker_id:010d}{n}"
                policies.append(
                    Insurance(
                        worker_id=worker_id,
                        insurer="基准保险公司",
                        policy_number_encrypted=encrypt(number),
                        policy_number_hash=lookup_hash(number),
                        start_date=on,
                        end_date=until,
                    )
                )
        Insurance.objects.bulk_create(policies)
        done += len(policies)
        say(f"histories: insurance: {done} policies ({time.monotonic() - start:.1f}s)")


if __name__ == "__main__":
    setup_django(database_url_from_env())
    fill()
