"""The admin: question bank import/export (all or nothing), question form, scoped attempt lists."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from openpyxl import Workbook, load_workbook

from exams import xlsx
from exams.models import Question
from lms.accounts.roles import Role
from lms.audit import audit_entries
from tests.exams.factories import PassedAttemptFactory, QuestionCategoryFactory, QuestionFactory
from tests.lms.factories import StaffUserFactory
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory


@pytest.fixture
def editor(client, login_staff, db):
    user = StaffUserFactory(roles=[Role.EDITOR])
    login_staff(client, user)
    return user


def upload(rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(xlsx.HEADERS)
    for values in rows:
        cells = dict.fromkeys(xlsx.HEADERS, "")
        cells.update(values)
        sheet.append([cells[h] for h in xlsx.HEADERS])
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("bank.xlsx", out.getvalue())


GOOD = {
    "分类": "家庭保洁",
    "题型": "单选题",
    "题干": "擦玻璃先擦哪一面？",
    "选项A": "外面",
    "选项B": "里面",
    "答案": "B",
    "解析": "先里后外。",
}


def test_a_valid_file_imports_every_row_and_audits_it(client, editor):
    QuestionCategoryFactory(name="家庭保洁")
    rows = [GOOD, {**GOOD, "题干": "地板打蜡前要做什么？", "答案": "A"}]
    response = client.post("/admin/exams/questions/import/", {"file": upload(rows)})
    assert response.status_code == 200
    assert "新增 2 题" in response.content.decode()
    question = Question.objects.get(stem="擦玻璃先擦哪一面？")
    assert question.correct == ["B"] and question.explanation == "先里后外。"
    assert [e.action for e in audit_entries(question)] == ["exams.question_import"]


def test_one_bad_row_imports_nothing_and_offers_an_error_report(client, editor):
    QuestionCategoryFactory(name="家庭保洁")
    rows = [GOOD, {**GOOD, "题干": "坏的一行", "答案": "Z"}]
    response = client.post("/admin/exams/questions/import/", {"file": upload(rows)})
    html = response.content.decode()
    assert "没有导入任何试题" in html
    assert not Question.objects.exists()
    report_url = response.context["report_url"]
    report = client.get(report_url)
    assert report.status_code == 200
    sheet = load_workbook(BytesIO(report.content)).active
    assert "答案" in list(sheet.iter_rows(values_only=True))[2][0]


def test_the_export_reimports_as_updates(client, editor):
    question = QuestionFactory(multiple=True)
    exported = client.get("/admin/exams/questions/export/")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(
        "/admin/exams/questions/import/",
        {"file": SimpleUploadedFile("export.xlsx", exported.content)},
    )
    assert "修改 1 题" in response.content.decode()
    question.refresh_from_db()
    assert question.correct == ["A", "C"]
    assert Question.objects.count() == 1


def test_the_template_downloads(client, editor):
    response = client.get("/admin/exams/questions/import/template/")
    assert response.status_code == 200
    assert "填写说明" in load_workbook(BytesIO(response.content)).sheetnames


def test_import_needs_permission(client, login_staff, db):
    login_staff(client, StaffUserFactory(roles=[Role.AGENCY_STAFF]))
    assert client.get("/admin/exams/questions/import/").status_code in (302, 403)


def test_the_question_form_builds_choices_and_checks_the_answer(client, editor):
    category = QuestionCategoryFactory()
    data = {
        "category": category.pk,
        "type": "multiple",
        "stem": "下列哪些属于安全用电？",
        "choice_a": "湿手不碰开关",
        "choice_b": "一个插座接很多电器",
        "choice_c": "离家前关电器",
        "answer": "AC",
        "difficulty": 2,
        "is_active": "on",
    }
    bad = client.post("/admin/exams/questions/add/", {**data, "answer": "A"})
    assert bad.status_code == 200 and not Question.objects.exists()
    response = client.post("/admin/exams/questions/add/", data)
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.correct == ["A", "C"] and len(question.choices) == 3


def test_question_list_filters_by_category_and_type(client, editor):
    one = QuestionFactory(stem="保洁题目甲")
    QuestionFactory(stem="安全题目乙", true_false=True)
    html = client.get(f"/admin/exams/questions/?category={one.category_id}").content.decode()
    assert "保洁题目甲" in html and "安全题目乙" not in html
    html = client.get("/admin/exams/questions/?type=true_false").content.decode()
    assert "安全题目乙" in html and "保洁题目甲" not in html


def test_agency_staff_see_only_their_own_workers_attempts(client, login_staff, db):
    membership = AgencyStaffFactory()
    mine = PassedAttemptFactory(worker=ApprovedWorkerFactory(agency=membership.agency))
    theirs = PassedAttemptFactory()
    login_staff(client, membership.user)
    listing = client.get("/admin/exams/attempts/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/admin/exams/attempts/inspect/{mine.pk}/" in html
    assert f"/admin/exams/attempts/inspect/{theirs.pk}/" not in html
    assert client.get(f"/admin/exams/attempts/inspect/{mine.pk}/").status_code == 200
    assert client.get(f"/admin/exams/attempts/inspect/{theirs.pk}/").status_code == 404
    assert client.get("/admin/exams/attempts/add/").status_code in (302, 403, 404)
    assert client.get(f"/admin/exams/attempts/edit/{mine.pk}/").status_code in (302, 403, 404)
