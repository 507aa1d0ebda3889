"""Scratch PostgreSQL data for the certificates benchmarks (never a production database).

``prepare(name)`` creates the database if needed, migrates it and returns its
URL; ``seed_attempts(n)`` adds n approved workers with a passed attempt each,
in bulk (the services are exercised by the benchmark, not by the set-up).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def prepare(name: str = "bench_certificates", *, fresh: bool = False) -> str:
    """Create (or recreate) the scratch database `name`, migrate it, return its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return url


def setup_django(database_url: str, **extra_env) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-" + "k" * 50)
    os.environ.update(extra_env)
    import django

    django.setup()


def certificate_type(code: str = "BJ"):
    """A certificate type on its own exam and course (created once)."""
    from django.utils import timezone

    from wagtail.models import Page

    from certificates.demo import make_seal_png
    from certificates.models import CertificateType
    from courses.models import CoursePage
    from exams.models import Exam

    existing = CertificateType.objects.filter(code=code).first()
    if existing:
        return existing
    root = Page.objects.get(depth=1)
    course = CoursePage(title="基准测试课程", slug=f"bench-course-{timezone.now():%H%M%S%f}")
    root.add_child(instance=course)
    exam = Exam.objects.create(title="基准测试考试", course=course)
    import io

    from django.core.files.images import ImageFile

    from wagtail.images.models import Image

    seal = Image(title="基准印章")
    seal.file = ImageFile(io.BytesIO(make_seal_png()), name="bench-seal.png")
    seal.save()
    return CertificateType.objects.create(
        name="上门服务证",
        code=code,
        issuing_authority="上海市商务委员会",
        validity_months=36,
        course=course,
        exam=exam,
        pdf_title="上门服务证",
        pdf_wording="该同志已完成上门服务培训课程，经考核成绩合格，特发此证。",
        seal_image=seal,
    )


def seed_attempts(cert_type, count: int, *, batch: int = 1000) -> list[int]:
    """`count` approved workers (with card and photo) and one passed attempt each; returns attempt ids."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from certificates.demo import make_photo_jpeg
    from exams.models import Attempt
    from lms.crypto import encrypt, lookup_hash
    from lms.validators import id_birth_date, id_sex
    from registry.models import Agency, Filing, FilingStatus, Worker
    from registry.synthetic import credit_code_for_index, resident_id_for_index

    agency, _ = Agency.objects.get_or_create(
        credit_code=credit_code_for_index(990_001),
        defaults={
            "name": "上海基准家政服务有限公司",
            "district": "xuhui",
            "filing_status": "approved",
        },
    )
    photo = default_storage.save("workers/photos/bench.jpg", ContentFile(make_photo_jpeg()))
    start = Worker.objects.count()
    now = timezone.now()
    ids = []
    for offset in range(0, count, batch):
        rows = []
        for i in range(start + offset, start + min(offset + batch, count)):
            number = resident_id_for_index(8_000_000 + i)
            rows.append(
                Worker(
                    name="王" + "秀英桂兰玉梅凤"[i % 7] + "丽娟春燕"[i % 4],
                    id_number_encrypted=encrypt(number),
                    id_number_hash=lookup_hash(number),
                    id_last4=number[-4:],
                    birth_date=id_birth_date(number),
                    sex=id_sex(number),
                    phone=f"139{i:08d}",
                    agency=agency,
                    photo=photo,
                    card_number=f"BENCH{i:09d}",
                )
            )
        workers = Worker.objects.bulk_create(rows)
        Filing.objects.bulk_create(
            [Filing(worker=w, status=FilingStatus.APPROVED) for w in workers]
        )
        attempts = Attempt.objects.bulk_create(
            [
                Attempt(
                    exam=cert_type.exam,
                    worker=w,
                    number=1,
                    status=Attempt.Status.GRADED,
                    started_at=now - datetime.timedelta(hours=1),
                    deadline=now,
                    submitted_at=now - datetime.timedelta(minutes=30),
                    score=100,
                    max_score=100,
                    passed=True,
                )
                for w in workers
            ]
        )
        ids += [a.pk for a in attempts]
    return ids


def granted_certificate(cert_type):
    """A certificate of `cert_type` that is not revoked; on the first run one is granted (to
    a worker without certificates, or else any worker), seeding a passed attempt if needed."""
    from certificates.services.issuing import certificate_grant
    from registry.models import Worker

    if not cert_type.certificates.exists():
        seed_attempts(cert_type, 1)
    certificate = cert_type.certificates.filter(revoked_at__isnull=True).first()
    if certificate is None:
        worker = Worker.objects.filter(certificates__isnull=True).first() or Worker.objects.first()
        certificate = certificate_grant(
            worker=worker, cert_type=cert_type, acting_user=None, reason="基准测试"
        )
    return certificate
