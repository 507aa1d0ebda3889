"""Export → import gives the same questions, in every format that writes (hypothesis)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.images import get_image_model

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exams import grading
from exams.exchange import base, gift, moodle_xml, qti, selectors, services
from exams.models import Question, QuestionImport
from tests.exams.exchange_helpers import png
from tests.exams.factories import QuestionCategoryFactory, QuestionFactory

# Characters that matter to the formats: GIFT's control characters and escapes, XML's
# and HTML's, full-width punctuation, weights, Chinese text, new lines.
ALPHABET = "家政服务员安全卫生老人 abcXYZ019~=#{}:\\[]<>&\"'%-./@\n，。？（）Ａ．、"
text = st.text(alphabet=ALPHABET, min_size=1, max_size=40).map(base.tidy).filter(bool)


@st.composite
def items(draw):
    kind = draw(st.sampled_from([grading.SINGLE, grading.MULTIPLE, grading.TRUE_FALSE]))
    if kind == grading.TRUE_FALSE:
        choices = [dict(c) for c in grading.TRUE_FALSE_CHOICES]
        correct = [draw(st.sampled_from(["T", "F"]))]
    else:
        texts = draw(st.lists(text, min_size=2, max_size=6))
        choices = base.keyed(texts)
        keys = [c["key"] for c in choices]
        size = 1 if kind == grading.SINGLE else draw(st.integers(2, len(keys)))
        correct = sorted(draw(st.permutations(keys))[:size])
    return base.Item(
        where="",
        type=kind,
        stem=draw(text),
        choices=choices,
        correct=correct,
        explanation=draw(st.one_of(st.just(""), text)),
        name=draw(st.one_of(st.just(""), text)),
    )


def same(item):
    return (item.type, item.stem, item.choices, item.correct, item.explanation)


@pytest.mark.parametrize("fmt", [gift, moodle_xml, qti], ids=["gift", "moodle_xml", "qti"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions=st.lists(items(), min_size=1, max_size=5))
def test_every_format_reads_back_what_it_wrote(fmt, questions):
    reading = fmt.read(fmt.write(questions, category="安全常识"))
    assert not reading.problems
    assert [same(i) for i in reading.items] == [same(q) for q in questions]


def test_a_gift_stem_that_looks_like_a_comment_stays_a_question():
    item = base.Item(
        where="",
        type=grading.SINGLE,
        stem="//注意",
        choices=base.keyed(["甲", "乙"]),
        correct=["A"],
    )
    assert [i.stem for i in gift.read(gift.write([item])).items] == ["//注意"]


def test_images_travel_in_moodle_xml_and_qti():
    picture = png("blue", 8)
    item = base.Item(
        where="",
        type=grading.SINGLE,
        stem="看图",
        choices=base.keyed(["甲", "乙"]),
        correct=["B"],
        image=base.ImageRef("p.png", picture),
    )
    for fmt in (moodle_xml, qti):
        assert fmt.read(fmt.write([item])).items[0].image.data == picture


def bank_rows(category):
    return [
        (q.type, q.stem, q.choices, q.correct, q.explanation, q.image.file_hash if q.image else "")
        for q in Question.objects.filter(category=category).select_related("image").order_by("pk")
    ]


@pytest.mark.parametrize("fmt", ["gift", "moodle_xml", "qti"])
def test_a_category_exported_and_imported_into_another_is_the_same_bank(db, fmt, django_user_model):
    source = QuestionCategoryFactory(name="来源")
    QuestionFactory(category=source, stem="第一题：上门前做什么？", explanation="核对地址。")
    QuestionFactory(category=source, multiple=True, stem="多选：哪些对？")
    QuestionFactory(
        category=source,
        type="true_false",
        stem="燃气泄漏可以开灯。",
        choices=[dict(c) for c in grading.TRUE_FALSE_CHOICES],
        correct=["F"],
    )
    if fmt != "gift":  # GIFT cannot carry images
        image = get_image_model().objects.create(
            title="p", file=SimpleUploadedFile("p.png", png("green", 6)), file_hash=""
        )
        Question.objects.filter(category=source).update(image=image)
        image.file_hash = image.get_file_hash()
    data, extension, _type = selectors.category_export(category=source, fmt=fmt)
    target = QuestionCategoryFactory(name="目标")
    user = django_user_model.objects.create(username="op")
    job = services.question_import_create(
        category=target, upload=SimpleUploadedFile(f"x{extension}", data), fmt=fmt, acting_user=user
    )
    assert job.status == QuestionImport.Status.READY and job.problem_count == 0
    services.question_import_decide(job=job, import_good=True, acting_user=user)
    job.refresh_from_db()
    assert job.status == QuestionImport.Status.DONE
    assert bank_rows(target) == bank_rows(source)
    if fmt != "gift":
        assert job.image_count == 0  # the same picture is reused from the library
