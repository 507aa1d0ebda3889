"""Fill a (scratch) database with workers at the real scale, for benchmarks.

    python manage.py seed_scale --workers 300000

Bulk inserts in batches with progress. Every worker gets its own valid,
distinct ID number (synthetic, from an index range), encrypted under the
current key with its own keyed hash, so the data behaves like production
data (unique hashes, real index sizes). Running it again adds workers after
the ones already there; ``--workers`` is the total wanted.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from lms.crypto import encrypt, lookup_hash
from lms.validators import id_birth_date, id_sex
from registry.models import (
    Agency,
    CardSequence,
    District,
    Filing,
    FilingStatus,
    IssuedCard,
    Worker,
)
from registry.services.cards import CARD_PREFIX
from registry.synthetic import credit_code_for_index, resident_id_for_index

SCALE_ID_BASE = 10_000_000  # far above the demo's and the tests' indexes
SCALE_AGENCY_BASE = 1_000_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "秀英桂兰玉梅美华小红春燕丽娟海燕红梅雪梅建华国强晓静凤英翠花慧敏金凤丽萍"


class Command(BaseCommand):
    help = "Bulk-create agencies and workers (approved, with cards) up to --workers in total."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=300_000)
        parser.add_argument("--agencies", type=int, default=372)
        parser.add_argument("--batch", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=2015)

    def handle(self, *args, workers, agencies, batch, seed, **options):
        rng = random.Random(seed)
        agency_ids = self._agencies(agencies)
        existing = Worker.objects.filter(agency_id__in=agency_ids).count()
        wanted = max(0, workers - existing)
        self.stdout.write(f"{existing} scale workers present; adding {wanted}.")
        start = time.monotonic()
        done = 0
        index = SCALE_ID_BASE + existing
        while done < wanted:
            size = min(batch, wanted - done)
            self._batch(index, size, agency_ids, rng)
            index += size
            done += size
            rate = done / max(time.monotonic() - start, 1e-6)
            self.stdout.write(f"  {existing + done}/{workers} workers ({rate:,.0f}/s)")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - start:.1f}s."))

    def _agencies(self, count: int) -> list[int]:
        districts = District.values
        rows = []
        have = set(
            Agency.objects.filter(
                credit_code__in=[self._code(i) for i in range(count)]
            ).values_list("credit_code", flat=True)
        )
        for i in range(count):
            code = self._code(i)
            if code in have:
                continue
            rows.append(
                Agency(
                    name=f"上海规模测试第{i + 1:03d}家政服务有限公司",
                    credit_code=code,
                    district=districts[i % len(districts)],
                    filing_status=FilingStatus.APPROVED,
                    is_demonstration_station=i < 166,  # the city's 166 stations
                    demonstration_year=2015 if i < 166 else None,
                )
            )
        Agency.objects.bulk_create(rows, batch_size=1000)
        return list(
            Agency.objects.filter(
                credit_code__in=[self._code(i) for i in range(count)]
            ).values_list("pk", flat=True)
        )

    @staticmethod
    def _code(i: int) -> str:
        return credit_code_for_index(SCALE_AGENCY_BASE + i, region_code="310000")

    @transaction.atomic
    def _batch(self, first_index: int, size: int, agency_ids: list[int], rng) -> None:
        now = timezone.now()
        today = timezone.localdate()
        # Reserve card numbers for the whole batch under the sequence's row lock.
        sequence, _created = CardSequence.objects.select_for_update().get_or_create(
            prefix=CARD_PREFIX
        )
        first_card = sequence.last_value + 1
        sequence.last_value += size
        sequence.save(update_fields=["last_value"])
        workers = []
        for offset in range(size):
            number = resident_id_for_index(first_index + offset)
            checked = today - datetime.timedelta(days=rng.randrange(0, 500))
            workers.append(
                Worker(
                    name=rng.choice(SURNAMES) + GIVEN[2 * rng.randrange(len(GIVEN) // 2) :][:2],
                    id_number_encrypted=encrypt(number),
                    id_number_hash=lookup_hash(number),
                    id_last4=number[-4:],
                    birth_date=id_birth_date(number),
                    sex=id_sex(number),
                    phone="",
                    agency_id=agency_ids[(first_index + offset) % len(agency_ids)],
                    health_check_date=checked,
                    health_check_expiry=checked + datetime.timedelta(days=365),
                    card_number=f"{CARD_PREFIX}{first_card + offset:08d}",
                    card_issued_at=now,
                )
            )
        Worker.objects.bulk_create(workers)
        # bulk_create sets primary keys on PostgreSQL and SQLite 3.35+.
        Filing.objects.bulk_create(
            [Filing(worker_id=w.pk, status=FilingStatus.APPROVED, reviewed_at=now) for w in workers]
        )
        IssuedCard.objects.bulk_create(
            [IssuedCard(number=w.card_number, worker_id=w.pk) for w in workers]
        )
