"""Reads for the question exchange: a category's stems and questions, and the import jobs."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from .. import question_rules
from ..models import Question, QuestionCategory, QuestionImport
from .base import ImageRef, Item

#: Questions written so far by an import still in its transaction (the database cannot show it).
PROGRESS_KEY = "exams:question-import:{pk}:written"


def category_stem_keys(category: QuestionCategory) -> set[str]:
    """The stems of `category`'s questions as compared for duplicates (``stem_key``)."""
    stems = Question.objects.filter(category=category).values_list("stem", flat=True)
    return {question_rules.stem_key(stem) for stem in stems.iterator(chunk_size=2000)}


def category_items(category: QuestionCategory) -> list[Item]:
    """Every question of `category`, in bank order, as exchange items with their image bytes."""
    items = []
    questions = Question.objects.filter(category=category).select_related("image").order_by("pk")
    for question in questions.iterator(chunk_size=1000):
        image = None
        if question.image is not None:
            with question.image.open_file() as handle:
                data = handle.read()
            name = question.image.file.name.rsplit("/", 1)[-1]
            image = ImageRef(name, data)
        items.append(
            Item(
                where=str(question.pk),
                type=question.type,
                stem=question.stem,
                choices=[dict(c) for c in question.choices],
                correct=list(question.correct),
                explanation=question.explanation,
                image=image,
                name=f"q{question.pk}",
            )
        )
    return items


def question_imports_recent(*, limit: int = 10) -> QuerySet[QuestionImport]:
    """The latest import jobs, newest first (the bank is shared by everyone who manages it)."""
    return QuestionImport.objects.select_related("category", "uploaded_by").order_by("-created_at")[
        :limit
    ]


def question_imports_stale(*, minutes: int = 10) -> tuple[list[int], list[int]]:
    """(ids to read, ids to import) of jobs whose heartbeat stopped `minutes` ago."""
    import datetime

    stale = QuestionImport.objects.filter(
        updated_at__lt=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    reading = stale.filter(
        status__in=[QuestionImport.Status.PENDING, QuestionImport.Status.PARSING]
    ).values_list("pk", flat=True)
    importing = stale.filter(status=QuestionImport.Status.IMPORTING).values_list("pk", flat=True)
    return list(reading), list(importing)


def category_export(*, category: QuestionCategory, fmt: str) -> tuple[bytes, str, str]:
    """(file, extension, content type) of `category`'s questions in `fmt` (GIFT, Moodle XML, QTI)."""
    from . import gift, moodle_xml, qti

    writers = {
        QuestionImport.Format.GIFT: (gift.write, ".gift.txt", "text/plain; charset=utf-8"),
        QuestionImport.Format.MOODLE_XML: (moodle_xml.write, ".xml", "application/xml"),
        QuestionImport.Format.QTI: (qti.write, ".zip", "application/zip"),
    }
    write, extension, content_type = writers[fmt]
    return write(category_items(category), category=category.name), extension, content_type


def question_import_percent(job: QuestionImport) -> int:
    """How far a job is, 0–100: while importing, from the count its transaction keeps in the cache."""
    if job.status != QuestionImport.Status.IMPORTING:
        return job.percent
    written = cache.get(PROGRESS_KEY.format(pk=job.pk)) or 0
    return min(99, written * 100 // max(job.valid_count, 1))
