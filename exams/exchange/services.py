"""Writes of the question exchange: an uploaded file is read, previewed, then imported or not.

The job (:class:`exams.models.QuestionImport`) moves through

    pending → parsing → ready → importing → done
                          └──→ discarded          (any step may end in failed)

Reading never writes to the bank. Importing writes every question without
problems, their images into Wagtail's image library, and the job's result
in one transaction: all of them, or (on any error) none. Small files are
handled during the request, large ones in Celery while the job's page
shows progress (``processed_items`` and the ``updated_at`` heartbeat).
"""

from __future__ import annotations

import hashlib
import secrets
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.images import get_image_model

from lms.audit import audit

from ..models import Question, QuestionCategory, QuestionImport
from . import aiken, gift, moodle_xml, qti, selectors
from .base import ExchangeError, Item, Problem, Reading, review

READERS = {
    QuestionImport.Format.GIFT: gift.read,
    QuestionImport.Format.MOODLE_XML: moodle_xml.read,
    QuestionImport.Format.AIKEN: aiken.read,
    QuestionImport.Format.QTI: qti.read,
}
SUFFIXES = {
    QuestionImport.Format.GIFT: ".gift.txt",
    QuestionImport.Format.MOODLE_XML: ".xml",
    QuestionImport.Format.AIKEN: ".txt",
    QuestionImport.Format.QTI: ".zip",
}
#: Files up to this size are read during the upload request, larger ones in Celery.
SYNC_MAX_BYTES = 256 * 1024
#: Up to this many questions are imported during the request, more in Celery.
SYNC_MAX_ITEMS = 300
#: The same as nginx's client_max_body_size (deploy/nginx/lms.conf).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
CHUNK = 250
BATCH = 500


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def format_guess(name: str, head: bytes) -> str | None:
    """The format of an upload by its name and first bytes, or None when it cannot be told."""
    lower = name.lower()
    if lower.endswith(".zip") or head.startswith(b"PK\x03\x04"):
        return QuestionImport.Format.QTI
    if lower.endswith(".xml"):
        return QuestionImport.Format.MOODLE_XML
    if lower.endswith(".gift"):
        return QuestionImport.Format.GIFT
    if lower.endswith(".txt"):
        return QuestionImport.Format.GIFT if b"{" in head else QuestionImport.Format.AIKEN
    return None


def question_import_create(
    *, category: QuestionCategory, upload, fmt: str | None, acting_user
) -> QuestionImport:
    """Store an uploaded question file for `category` and read it (now, or in a task if large).

    `fmt` None guesses the format from the name and content. Raises
    ValidationError when the file is too large or its format is unknown.
    """
    if upload.size > _setting("EXAMS_EXCHANGE_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES):
        raise ValidationError({"file": _("文件不能超过 25 MB。")}, code="too_large")
    data = upload.read()
    fmt = fmt or format_guess(upload.name, data[:4096])
    if fmt not in READERS:
        raise ValidationError(
            {"format": _("无法判断文件格式，请选择 GIFT、Moodle XML、Aiken 或 QTI 2.1。")},
            code="format",
        )
    with transaction.atomic():
        job = QuestionImport(
            category=category,
            format=fmt,
            original_name=upload.name[:255],
            uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        job.file.save(f"{secrets.token_urlsafe(12)}{SUFFIXES[fmt]}", ContentFile(data), save=False)
        job.save()
        audit(
            job,
            "exams.question_exchange_upload",
            user=acting_user,
            data={"category": category.pk, "format": fmt, "file": job.original_name},
        )
    if len(data) <= _setting("EXAMS_EXCHANGE_SYNC_MAX_BYTES", SYNC_MAX_BYTES):
        question_import_read(question_import_id=job.pk)
        job.refresh_from_db()
    else:
        from ..tasks import question_import_read_task

        transaction.on_commit(lambda: question_import_read_task.delay(job.pk))
    return job


def _reading(job: QuestionImport) -> Reading:
    with job.file.open("rb") as handle:
        data = handle.read()
    return READERS[job.format](data)


def _fail(job_id: int, message: str) -> None:
    QuestionImport.objects.filter(pk=job_id).update(
        status=QuestionImport.Status.FAILED,
        failure=message,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def question_import_read(*, question_import_id: int) -> None:
    """Read and check a job's file into its preview and problems; writes nothing to the bank.

    Idempotent: a job past reading is left alone, and a rerun of a job that
    stopped mid-way reads the file again from the start.
    """
    with transaction.atomic():
        job = QuestionImport.objects.select_for_update().get(pk=question_import_id)
        if job.status not in (QuestionImport.Status.PENDING, QuestionImport.Status.PARSING):
            return
        job.status = QuestionImport.Status.PARSING
        job.save(update_fields=["status", "updated_at"])
    try:
        reading = _reading(job)
    except ExchangeError as exc:
        _fail(job.pk, str(exc))
        return
    except OSError:
        _fail(job.pk, _("上传的文件读不出来，请重新上传。"))
        return
    total = len(reading.items) + len(reading.problems)
    QuestionImport.objects.filter(pk=job.pk).update(
        total_items=total, processed_items=0, encoding=reading.encoding, updated_at=timezone.now()
    )

    def progress(done: int) -> None:
        QuestionImport.objects.filter(pk=job.pk).update(
            processed_items=done, updated_at=timezone.now()
        )

    good, problems = review(
        reading,
        existing_stems=selectors.category_stem_keys(job.category),
        progress=progress,
        chunk=CHUNK,
    )
    if not reading.items and not reading.problems:
        problems = [Problem(_("文件"), _("文件中没有找到试题，请检查格式是否选对。"))]
    QuestionImport.objects.filter(pk=job.pk).update(
        status=QuestionImport.Status.READY,
        processed_items=total,
        valid_count=len(good),
        problem_count=len(problems),
        problems=[p.as_dict() for p in problems],
        preview=[item.as_preview() for item in good],
        updated_at=timezone.now(),
    )


def question_import_decide(*, job: QuestionImport, import_good: bool, acting_user) -> None:
    """The operator's choice on a read job: import its questions without problems, or nothing.

    Raises ValidationError if the job is not waiting for a decision (decided
    already, or still being read).
    """
    with transaction.atomic():
        job = QuestionImport.objects.select_for_update().get(pk=job.pk)
        if job.status != QuestionImport.Status.READY:
            raise ValidationError(
                _("这个导入已经处理过了（%(status)s）。") % {"status": job.get_status_display()}
            )
        job.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
        if not import_good or not job.valid_count:
            job.status = QuestionImport.Status.DISCARDED
            job.finished_at = timezone.now()
            job.preview = []  # only a waiting job shows its preview
            job.save(update_fields=["status", "decided_by", "finished_at", "preview", "updated_at"])
            audit(job, "exams.question_exchange_discard", user=acting_user, data={})
            return
        job.status = QuestionImport.Status.IMPORTING
        job.processed_items = 0
        job.save(update_fields=["status", "decided_by", "processed_items", "updated_at"])
    if job.valid_count <= _setting("EXAMS_EXCHANGE_SYNC_MAX_ITEMS", SYNC_MAX_ITEMS):
        question_import_apply(question_import_id=job.pk)
    else:
        from ..tasks import question_import_apply_task

        transaction.on_commit(lambda: question_import_apply_task.delay(job.pk))


def question_import_apply(*, question_import_id: int) -> None:
    """Write a job's questions without problems (and their images), all or none.

    The file is read again (the same reading the preview showed) and checked
    again against the category as it is now: a question someone added
    meanwhile makes its duplicate a problem, not a second copy. Idempotent:
    only a job in ``importing`` is written, and it leaves that state in the
    same transaction.
    """
    stored: list = []
    try:
        with transaction.atomic():
            job = QuestionImport.objects.select_for_update().get(pk=question_import_id)
            if job.status != QuestionImport.Status.IMPORTING:
                return
            cache.set(selectors.PROGRESS_KEY.format(pk=job.pk), 0, 3600)  # not a rerun's count
            reading = _reading(job)
            good, problems = review(
                reading, existing_stems=selectors.category_stem_keys(job.category)
            )
            created, images = _write(job, good, stored)
            job.status = QuestionImport.Status.DONE
            job.created_count = created
            job.image_count = images
            job.processed_items = job.total_items
            job.problem_count = len(problems)
            job.problems = [p.as_dict() for p in problems]
            job.finished_at = timezone.now()
            job.preview = []  # only a waiting job shows its preview
            job.save()
            audit(
                job,
                "exams.question_exchange_import",
                user=job.decided_by,
                data={"category": job.category_id, "created": created, "images": images},
            )
    except (ExchangeError, OSError, ValueError) as exc:
        for image_file in stored:
            image_file.delete(save=False)
        _fail(question_import_id, _("导入失败，没有导入任何试题：%(reason)s") % {"reason": exc})


def _write(job: QuestionImport, items: list[Item], stored: list) -> tuple[int, int]:
    """Create `items` in the job's category; returns (questions, new images)."""
    Image = get_image_model()
    by_hash: dict[str, object] = {}
    new_images = 0
    batch: list[Question] = []
    created = 0
    for index, item in enumerate(items, start=1):
        image = None
        if item.image is not None and item.image.data:
            digest = hashlib.sha1(item.image.data, usedforsecurity=False).hexdigest()
            image = by_hash.get(digest) or Image.objects.filter(file_hash=digest).first()
            if image is None:
                image = Image(
                    title=item.image.name[:255],
                    file=ImageFile(BytesIO(item.image.data), name=item.image.name),
                    file_size=len(item.image.data),
                    file_hash=digest,
                    uploaded_by_user=job.decided_by,
                )
                image.save()
                stored.append(image.file)
                new_images += 1
            by_hash[digest] = image
        batch.append(
            Question(
                category=job.category,
                type=item.type,
                stem=item.stem,
                choices=item.choices,
                correct=item.correct,
                explanation=item.explanation,
                image=image,
            )
        )
        if len(batch) >= BATCH or index == len(items):
            Question.objects.bulk_create(batch)
            created += len(batch)
            batch = []
        if index % 50 == 0:
            cache.set(selectors.PROGRESS_KEY.format(pk=job.pk), index, 3600)
    return created, new_images
