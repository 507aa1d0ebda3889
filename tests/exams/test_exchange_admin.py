"""The question exchange in the admin: upload, preview, the operator's choice, export."""

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.images import get_image_model

import pytest

from exams.models import Question, QuestionImport
from lms.accounts.roles import Role
from lms.audit import audit_entries
from tests.exams.exchange_helpers import fixture, ims_package
from tests.exams.factories import QuestionCategoryFactory, QuestionFactory
from tests.lms.factories import StaffUserFactory

IMPORT_URL = "/admin/exams/questions/exchange/import/"


@pytest.fixture
def editor(client, login_staff, db):
    user = StaffUserFactory(roles=[Role.EDITOR])
    login_staff(client, user)
    return user


@pytest.fixture
def category(db):
    return QuestionCategoryFactory(name="安全常识")


def upload(client, category, name, data, fmt=""):
    response = client.post(
        IMPORT_URL,
        {"category": category.pk, "format": fmt, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return QuestionImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_a_file_is_previewed_with_its_problems_and_nothing_is_saved(client, editor, category):
    job = upload(client, category, "bank.xml", fixture("moodle_bank.xml"))
    assert job.status == QuestionImport.Status.READY and job.format == "moodle_xml"
    assert not Question.objects.exists()
    assert not get_image_model().objects.exists()
    page = client.get(f"{IMPORT_URL}{job.pk}/").content.decode()
    assert "3 题无误" in page and "导入无误的题目（3 题）" in page and "全部不导入" in page
    assert "第 5 题" in page and "引用的图片“missing.png”不在文件中。" in page
    assert "看图回答：服务中发现燃气泄漏，首先应当怎么做？" in page
    assert "<script" not in page.split("</header>")[-1]  # the screen needs no script of its own


def test_importing_the_good_ones_saves_them_and_their_image_once(client, editor, category):
    job = upload(client, category, "bank.xml", fixture("moodle_bank.xml"))
    response = client.post(f"{IMPORT_URL}{job.pk}/decide/", {"action": "import"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.DONE
    assert (job.created_count, job.image_count) == (3, 1)
    gas = Question.objects.get(category=category, stem__startswith="看图回答")
    assert gas.image is not None and gas.image.width == 120
    assert gas.correct == ["B"] and gas.explanation.startswith("开灯可能产生电火花")
    assert sorted(Question.objects.values_list("type", flat=True)) == [
        "multiple",
        "single",
        "true_false",
    ]
    assert {e.action for e in audit_entries(job)} == {
        "exams.question_exchange_upload",
        "exams.question_exchange_import",
    }
    # A second click (another tab) changes nothing.
    client.post(f"{IMPORT_URL}{job.pk}/decide/", {"action": "import"})
    assert Question.objects.count() == 3


def test_importing_nothing_leaves_the_bank_as_it_was(client, editor, category):
    job = upload(client, category, "ims.zip", ims_package())
    client.post(f"{IMPORT_URL}{job.pk}/decide/", {"action": "discard"})
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.DISCARDED
    assert not Question.objects.exists() and not get_image_model().objects.exists()
    assert "已选择全部不导入" in client.get(f"{IMPORT_URL}{job.pk}/").content.decode()


def test_questions_already_in_the_category_are_reported_not_repeated(client, editor, category):
    QuestionFactory(category=category, stem="照顾老人时可以随意更改老人的用药。")
    job = upload(client, category, "bank.xml", fixture("moodle_bank.xml"))
    assert job.valid_count == 2
    assert any(p["message"] == "分类中已有相同题干的试题。" for p in job.problems)


def test_an_unreadable_file_fails_with_its_reason(client, editor, category):
    job = upload(client, category, "bank.txt", fixture("aiken_latin1.txt"), fmt="aiken")
    assert job.status == QuestionImport.Status.FAILED
    assert "UTF-8" in job.failure
    assert job.failure in client.get(f"{IMPORT_URL}{job.pk}/").content.decode()


def test_the_format_is_guessed_from_the_file(client, editor, category):
    assert upload(client, category, "a.txt", fixture("moodle_examples.gift.txt")).format == "gift"
    assert upload(client, category, "b.txt", fixture("aiken_gbk_crlf.txt")).format == "aiken"
    assert upload(client, category, "c.zip", ims_package()).format == "qti"


def test_export_downloads_each_format(client, editor, category):
    QuestionFactory(category=category)
    for fmt, kind in (("gift", "text/plain"), ("moodle_xml", "application/xml"), ("qti", "zip")):
        response = client.get(
            "/admin/exams/questions/exchange/export/", {"category": category.pk, "format": fmt}
        )
        assert response.status_code == 200 and kind in response["Content-Type"]
    assert client.get("/admin/exams/questions/exchange/export/").status_code == 200


def test_the_question_list_offers_exchange(client, editor):
    page = client.get("/admin/snippets/exams/question/").content.decode()
    if "导入题库文件" not in page:
        page = client.get("/admin/exams/questions/").content.decode()
    assert "导入题库文件" in page and "导出题库文件" in page


def test_exchange_needs_the_question_permissions(client, login_staff, db, category):
    login_staff(client, StaffUserFactory(roles=[Role.AGENCY_STAFF]))
    assert client.get(IMPORT_URL).status_code in (302, 403)
    export = "/admin/exams/questions/exchange/export/"
    response = client.get(export, {"category": category.pk, "format": "gift"})
    assert response.status_code in (302, 403)
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_file_over_the_limit_is_refused_on_the_form(client, editor, category, settings):
    settings.EXAMS_EXCHANGE_MAX_UPLOAD_BYTES = 10
    response = client.post(
        IMPORT_URL,
        {"category": category.pk, "file": SimpleUploadedFile("a.txt", b"x" * 11)},
    )
    assert response.status_code == 200
    assert "文件不能超过 25 MB。" in response.content.decode()
    assert not QuestionImport.objects.exists()
