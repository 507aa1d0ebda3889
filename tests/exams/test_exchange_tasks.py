"""Large question files: read and imported in Celery, with progress and a heartbeat, resent if stalled."""

from datetime import timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from exams import tasks
from exams.exchange import gift, services
from exams.exchange.base import Item, keyed
from exams.models import Question, QuestionImport
from tests.exams.factories import QuestionCategoryFactory


def gift_file(count: int) -> bytes:
    items = [
        Item(
            where="",
            type="single",
            stem=f"第 {n} 题：上门服务前先做什么？",
            choices=keyed(["核对地址", "直接打扫", "借用物品"]),
            correct=["A"],
            name=f"q{n}",
        )
        for n in range(1, count + 1)
    ]
    return gift.write(items) + "\n::bad::没有答案的题{~甲 ~乙}\n".encode()


@pytest.fixture
def small_sync_limits(settings):
    settings.EXAMS_EXCHANGE_SYNC_MAX_BYTES = 100
    settings.EXAMS_EXCHANGE_SYNC_MAX_ITEMS = 10


def test_a_large_file_is_read_in_a_task_with_progress(
    db, small_sync_limits, django_capture_on_commit_callbacks, django_user_model
):
    category = QuestionCategoryFactory()
    user = django_user_model.objects.create(username="op")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.question_import_create(
            category=category,
            upload=SimpleUploadedFile("big.txt", gift_file(600)),
            fmt="gift",
            acting_user=user,
        )
    assert job.status == QuestionImport.Status.PENDING and job.percent == 0
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()  # the task, run eagerly
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.READY
    assert (job.total_items, job.processed_items, job.percent) == (601, 601, 100)
    assert (job.valid_count, job.problem_count) == (600, 1)
    assert job.problems[0]["name"] == "bad" and job.problems[0]["message"] == "没有正确答案。"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.question_import_decide(job=job, import_good=True, acting_user=user)
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.IMPORTING and not Question.objects.exists()
    for callback in callbacks:
        callback()
        callback()  # a duplicate message imports nothing twice
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.DONE and job.created_count == 600
    assert Question.objects.filter(category=category).count() == 600


def test_progress_is_written_chunk_by_chunk(db, small_sync_limits, django_user_model):
    category = QuestionCategoryFactory()
    job = QuestionImport.objects.create(category=category, format="gift", original_name="a.txt")
    job.file.save("a.gift.txt", SimpleUploadedFile("a.txt", gift_file(250)))
    seen = []
    original = services.review

    def recording_review(reading, **kwargs):
        progress = kwargs["progress"]

        def record(done):
            progress(done)
            seen.append(QuestionImport.objects.get(pk=job.pk).processed_items)

        return original(reading, **{**kwargs, "progress": record, "chunk": 100})

    with mock.patch.object(services, "review", recording_review):
        tasks.question_import_read_task(job.pk)
    assert seen == [100, 200]
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.READY and job.processed_items == 251


def test_a_failed_import_saves_nothing(db, django_user_model):
    category = QuestionCategoryFactory()
    user = django_user_model.objects.create(username="op")
    job = services.question_import_create(
        category=category,
        upload=SimpleUploadedFile("a.txt", gift_file(20)),
        fmt="gift",
        acting_user=user,
    )
    with (
        mock.patch.object(services, "BATCH", 5),
        mock.patch.object(
            Question.objects, "bulk_create", side_effect=[None, None, ValueError("磁盘已满")]
        ),
    ):
        services.question_import_decide(job=job, import_good=True, acting_user=user)
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.FAILED
    assert job.failure == "导入失败，没有导入任何试题：磁盘已满"
    assert not Question.objects.exists()


def test_stalled_jobs_are_resent_by_the_reconciler(db, django_user_model):
    category = QuestionCategoryFactory()
    stalled = QuestionImport.objects.create(category=category, format="gift", original_name="a")
    importing = QuestionImport.objects.create(
        category=category, format="gift", original_name="b", status="importing"
    )
    fresh = QuestionImport.objects.create(category=category, format="gift", original_name="c")
    old = timezone.now() - timedelta(minutes=11)
    QuestionImport.objects.filter(pk__in=[stalled.pk, importing.pk]).update(updated_at=old)
    with (
        mock.patch.object(tasks.question_import_read_task, "delay") as read,
        mock.patch.object(tasks.question_import_apply_task, "delay") as apply,
    ):
        assert tasks.question_import_reconcile() == 2
    read.assert_called_once_with(stalled.pk)
    apply.assert_called_once_with(importing.pk)
    assert fresh.pk not in [c.args[0] for c in read.call_args_list]


def test_the_page_shows_how_far_an_import_in_its_transaction_is(
    db, client, login_staff, django_user_model
):
    from django.core.cache import cache

    from exams.exchange import selectors
    from lms.accounts.roles import Role
    from tests.lms.factories import StaffUserFactory

    category = QuestionCategoryFactory()
    job = QuestionImport.objects.create(
        category=category, format="gift", original_name="a", status="importing", valid_count=200
    )
    assert selectors.question_import_percent(job) == 0
    cache.set(selectors.PROGRESS_KEY.format(pk=job.pk), 50)
    assert selectors.question_import_percent(job) == 25
    login_staff(client, StaffUserFactory(roles=[Role.EDITOR]))
    page = client.get(f"/admin/exams/questions/exchange/import/{job.pk}/").content.decode()
    assert 'value="25"' in page and "正在导入，已完成 25%" in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_the_reconciler_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["exams-question-import-reconcile"]
    assert entry["task"] == "exams.tasks.question_import_reconcile"
