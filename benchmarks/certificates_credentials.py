"""Verifiable credentials: signing rate, status list update after a revocation, the verify API.

    .venv/bin/python benchmarks/certificates_credentials.py [--count 300] [--seconds 10]
      [--database bench_credentials]

Scratch PostgreSQL database ``--database`` (created and migrated if missing),
with `count` issued certificates (their PDFs are not rendered: the render
messages go to an in-memory queue nobody reads; credentials do not need them)
and a fresh Ed25519 issuer key, given to this process and to gunicorn as
``VC_SIGNING_KEYS``. Reports:

- **signing**: credentials per second on one core (this process), each the
  whole ``credential_for`` (the document, two RDF canonicalisations, SHA-256,
  Ed25519), and the part canonicalisation takes; the one-off credential
  records (status index, salt) per second; and from both, what credentials
  would add to the 10,000-certificate bulk run on one core and on the bulk
  run's two worker processes (target: ≤ 2 min);
- **status list update**: from the revocation's call until the origin
  (gunicorn) serves the re-signed list with the bit set (target: ≤ 1 s);
  Celery runs eagerly here (no broker), so a deployment adds the broker's
  hand-off to a worker; and the re-signing alone;
- **``POST /api/v1/credentials/verify``**: requests per second for a
  credential posted as JSON and as a baked PNG, beside the verify page and the
  bare view (``harness.ratio_report``), with the server CPU per request.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import certificates_data as data  # noqa: E402
from harness import (  # noqa: E402
    cpu_report,
    log,
    measure,
    ratio_report,
    redis_env,
    serve,
    server_cpu,
)

BULK_RUN = 10_000
BULK_WORKERS = 2  # certificates_bulk_issue.py's default --concurrency


def multipart(field: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


# --- data -----------------------------------------------------------------------------


def issued_certificates(cert_type, count: int) -> list:
    """`count` current certificates of `cert_type` without a credential yet, issued where missing.

    Each run takes fresh ones, so that creating their credential records is measured too.
    """
    from certificates.models import Certificate
    from certificates.services.issuing import certificate_issue
    from exams.models import Attempt
    from lms.celery import app

    current = Certificate.objects.filter(
        type=cert_type, revoked_at__isnull=True, superseded_by__isnull=True, credential__isnull=True
    )
    missing = count - current.count()
    if missing > 0:
        ids = data.seed_attempts(cert_type, missing)
        # Rendering is not what is measured: its after-commit messages go to the
        # in-memory broker, where no worker takes them.
        app.conf.task_always_eager = False
        try:
            for attempt in Attempt.objects.filter(pk__in=ids):
                certificate_issue(attempt=attempt)
        finally:
            app.conf.task_always_eager = True
    return list(current.select_related("type", "worker").order_by("pk")[:count])


def issuer_key_entry() -> str:
    """A fresh VC_SIGNING_KEYS entry, encrypted as deployment stores it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certificates import credentials
    from lms import crypto

    key = Ed25519PrivateKey.generate()
    return f"bench={crypto.encrypt(credentials.private_key_multibase(key))}"


# --- the measurements -------------------------------------------------------------------


def signing(certificates) -> dict:
    from certificates import credential_services, credentials

    t0 = time.perf_counter()
    records = credential_services.credential_records(certificates=certificates)
    records_seconds = time.perf_counter() - t0

    credentials.credential_for(certificates[0], records[certificates[0].pk])  # warm caches
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for certificate in certificates:
        credentials.credential_for(certificate, records[certificate.pk])
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0

    # Canonicalisation's share: the two inputs sign() canonicalises (document, proof options).
    document = credentials.unsigned_credential(certificates[0], records[certificates[0].pk])
    proof = credentials.credential_for(certificates[0], records[certificates[0].pk])["proof"][0]
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = document["@context"]
    rounds = min(len(certificates), 100)
    c0 = time.process_time()
    for _ in range(rounds):
        credentials.canonize(document)
        credentials.canonize(options)
    canon_ms = (time.process_time() - c0) / rounds * 1000
    return {
        "n": len(certificates),
        "rate": len(certificates) / wall,
        "cpu_rate": len(certificates) / cpu,
        "canon_ms": canon_ms,
        "sign_ms": cpu / len(certificates) * 1000,
        "records": len(records),
        "records_seconds": records_seconds,
    }


def status_list_update(base: str, certificates, rounds: int) -> dict:
    """Revoke `rounds` certificates; time until the origin serves the re-signed list."""
    from certificates import credential_services, credentials
    from certificates.services.revocation import certificate_revoke

    def bit_at_origin(url: str, index: int) -> bool:
        path = urlsplit(url).path
        with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310
            document = json.loads(response.read())
        bits = credentials.decode_bitstring(document["credentialSubject"]["encodedList"])
        return credentials.bit_is_set(bits, index)

    totals, rebuilds = [], []
    for certificate in certificates[: rounds + 1]:
        record = credential_services.credential_record(certificate=certificate)
        url = credentials.status_list_url(record.status_list_id)
        assert not bit_at_origin(url, record.status_index)
        t0 = time.perf_counter()
        certificate_revoke(certificate=certificate, acting_user=None, reason="基准测试")
        while not bit_at_origin(url, record.status_index):
            if time.perf_counter() - t0 > 30:
                raise RuntimeError("the origin never served the revoked bit")
        totals.append(time.perf_counter() - t0)
        r0 = time.perf_counter()
        credential_services.status_list_rebuild(status_list_id=record.status_list_id)
        rebuilds.append(time.perf_counter() - r0)
    # The first round is this process's first revocation (imports, connections): told apart.
    return {"cold": totals[0], "totals": totals[1:], "rebuilds": rebuilds[1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="certificates to sign")
    parser.add_argument("--revocations", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", default="bench_credentials")
    args = parser.parse_args()

    server_env = redis_env()
    # This process runs Celery eagerly (no broker): a revocation re-signs its list on commit.
    os.environ.pop("REDIS_URL", None)
    url = data.prepare(args.database)
    data.setup_django(url, DJANGO_DEBUG="1")
    from django.conf import settings

    from certificates import credentials, wallet_card

    logging.getLogger("celery").setLevel(logging.WARNING)  # no line per eager task

    entry = issuer_key_entry()
    settings.VC_SIGNING_KEYS = [entry]
    server_env.update({"DATABASE_URL": url, "VC_SIGNING_KEYS": entry})

    cert_type = data.certificate_type()
    certificates = issued_certificates(cert_type, args.count + args.revocations + 1)
    to_sign, to_revoke = certificates[: args.count], certificates[args.count :]
    log.info(f"load average: {os.getloadavg()[0]:.2f}; {len(to_sign)} certificates to sign")

    s = signing(to_sign)
    log.info(
        f"signing: {s['rate']:.1f} credentials/s on one core (wall), {s['cpu_rate']:.1f}/s of CPU; "
        f"{s['sign_ms']:.2f} ms of CPU each, of which RDFC-1.0 canonicalisation (document and "
        f"proof options) ≈ {s['canon_ms']:.2f} ms; n = {s['n']}"
    )
    per_record = s["records_seconds"] / max(s["records"], 1)
    log.info(
        f"credential records (status index, salt): {s['records_seconds'] * 1000:.0f} ms for "
        f"{s['records']} ({per_record * 1000:.2f} ms each; created once per certificate)"
    )
    one_core = BULK_RUN * (1 / s["rate"] + per_record)
    log.info(
        f"estimate for the {BULK_RUN:,}-certificate bulk run: credentials add {one_core:.0f} s on "
        f"one core, {one_core / BULK_WORKERS:.0f} s on its {BULK_WORKERS} worker processes "
        f"(target ≤ 120 s)"
    )

    with serve(env=server_env) as base:
        status = status_list_update(base, to_revoke, args.revocations)
        totals, rebuilds = status["totals"], status["rebuilds"]
        log.info(
            f"status list update after a revocation, to the re-signed list at the origin: "
            f"median {statistics.median(totals) * 1000:.0f} ms, max {max(totals) * 1000:.0f} ms "
            f"(n = {len(totals)}; target ≤ 1000 ms); re-signing a {credentials.STATUS_LIST_SIZE:,}"
            f"-entry list alone: median {statistics.median(rebuilds) * 1000:.0f} ms; "
            f"the process's first (cold) revocation: {status['cold'] * 1000:.0f} ms"
        )

        certificate = to_sign[0]
        from certificates import credential_services

        record = credential_services.credential_record(certificate=certificate)
        credential = credentials.credential_for(certificate, record, public=True)
        body = json.dumps(credential, ensure_ascii=False).encode()
        json_headers = {"Content-Type": "application/json"}
        png = wallet_card.bake(
            wallet_card.card_png(certificate, holder_name="王*英"),
            credentials.credential_for(certificate, record),
        )
        png_body, png_type = multipart("file", "card.png", png, "image/png")
        png_headers = {"Content-Type": png_type}
        api = base + "/api/v1/credentials/verify"
        request = urllib.request.Request(api, data=body, headers=json_headers)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer = json.loads(response.read())
        if not answer["verified"]:
            raise RuntimeError(f"the origin does not verify the credential: {answer}")

        measure(base + f"/v/{certificate.token}/", seconds=1, clients=1)  # warm up
        measure(api, seconds=1, clients=1, headers=json_headers, body=body)
        bare = measure(base + "/health/live", seconds=args.seconds, clients=args.clients)
        page = measure(
            base + f"/v/{certificate.token}/", seconds=args.seconds, clients=args.clients
        )
        with server_cpu() as spent_json:
            as_json = measure(api, args.seconds, args.clients, headers=json_headers, body=body)
        with server_cpu() as spent_png:
            as_png = measure(api, args.seconds, args.clients, headers=png_headers, body=png_body)
    log.info(ratio_report("verify page /v/<token>/", page, bare))
    log.info(ratio_report("POST /api/v1/credentials/verify (JSON)", as_json, bare))
    log.info(cpu_report(spent_json, as_json))
    log.info(ratio_report("POST /api/v1/credentials/verify (baked PNG)", as_png, bare))
    log.info(cpu_report(spent_png, as_png))


if __name__ == "__main__":
    main()
