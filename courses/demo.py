"""Demo data of the courses app: the course centre, a real 上门服务证 course and a specialised one.

Runs after the registry's demo (``seed_demo``) and reads its hand-offs
(``ctx.data["workers"]``, ``ctx.data["demo_worker"]``). Idempotent: pages,
files and enrolments are found by their natural keys (slug, title, worker and
course) and only created when missing, so a second run adds no rows.
Hands off ``ctx.data["course"]`` and ``ctx.data["specialised_course"]``.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db.models import Q

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site

from registry.models import ServiceCategory
from registry.selectors.access import worker_for_user

from . import selectors, services
from .demo_content import CHECKLIST_TEXT, MAIN_COURSE, SPECIALISED_COURSE, p
from .models import CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress

INDEX_SLUG = "courses"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
#: How many of the registry's demo workers get course progress (the rest stay unenrolled).
DEMO_LEARNERS = 40


def course_index_ensure() -> CourseIndexPage:
    """The course centre: the existing one, or a new one under the default site's root page."""
    index = CourseIndexPage.objects.order_by("path").first()
    if index is not None:
        return index
    root = Site.objects.get(is_default_site=True).root_page
    index = CourseIndexPage(
        title="课程中心",
        slug=INDEX_SLUG,
        intro=(
            "<p>家政服务员在线学习的课程。先学完“上门服务证培训课程”，"
            "通过在线考试后即可领取电子上门服务证；再根据自己的服务方向选学专项课程。</p>"
        ),
    )
    root.add_child(instance=index)
    index.save_revision().publish()
    return index


def _category(hint: str) -> ServiceCategory | None:
    return ServiceCategory.objects.filter(Q(name__contains=hint) | Q(code__contains=hint)).first()


def _publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def course_ensure(index: CourseIndexPage, spec: dict, *, extra_blocks=None) -> CoursePage:
    """The course of `spec` with its lessons; pages that already exist are left as editors left them."""
    course = CoursePage.objects.child_of(index).filter(slug=spec["slug"]).first()
    if course is None:
        course = _publish_child(
            index,
            CoursePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                description=spec["description"],
                estimated_hours=spec["estimated_hours"],
                service_category=_category(spec["category_hint"]),
            ),
        )
    existing = set(LessonPage.objects.child_of(course).values_list("slug", flat=True))
    for lesson_spec in spec["lessons"]:
        if lesson_spec["slug"] in existing:
            continue
        body = list(lesson_spec["body"])
        body[1:1] = (extra_blocks or {}).get(lesson_spec["slug"], [])
        _publish_child(
            course,
            LessonPage(
                title=lesson_spec["title"],
                slug=lesson_spec["slug"],
                intro=lesson_spec["intro"],
                is_required=lesson_spec.get("is_required", True),
                body=body,
            ),
        )
    return course


def checklist_document_ensure():
    Document = get_document_model()
    document = Document.objects.filter(title="上门服务检查清单").first()
    if document is None:
        document = Document(title="上门服务检查清单")
        document.file.save(
            "shangmen-jianchaqingdan.txt", ContentFile(CHECKLIST_TEXT.encode("utf-8"))
        )
        document.save()
    return document


def cleaning_order_image_ensure():
    """A simple diagram of the cleaning order, drawn with Pillow (None without a CJK font)."""
    Image = get_image_model()
    image = Image.objects.filter(title="保洁顺序示意图").first()
    if image is not None:
        return image
    font_path = next((f for f in FONT_CANDIDATES if Path(f).exists()), None)
    if font_path is None:
        return None
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    width, height = 1200, 520
    canvas = PILImage.new("RGB", (width, height), "#f6f7f9")
    draw = ImageDraw.Draw(canvas)
    title_font = ImageFont.truetype(font_path, 56)
    body_font = ImageFont.truetype(font_path, 40)
    draw.text((60, 40), "家庭保洁的顺序", fill="#1f2933", font=title_font)
    steps = [
        ("1", "从上到下", "#0b5cad"),
        ("2", "从里到外", "#13795b"),
        ("3", "先干后湿", "#8a5a00"),
    ]
    box_w = (width - 60 * 2 - 40 * 2) // 3
    for i, (number, words, colour) in enumerate(steps):
        left = 60 + i * (box_w + 40)
        draw.rounded_rectangle(
            (left, 160, left + box_w, 460), radius=24, fill="#ffffff", outline=colour, width=6
        )
        draw.ellipse((left + box_w // 2 - 45, 190, left + box_w // 2 + 45, 280), fill=colour)
        draw.text((left + box_w // 2, 235), number, fill="#ffffff", font=body_font, anchor="mm")
        draw.text((left + box_w // 2, 370), words, fill="#1f2933", font=body_font, anchor="mm")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    image = Image(title="保洁顺序示意图")
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name="baojie-shunxu.png")
    image.save()
    return image


def _extra_blocks() -> dict:
    document = checklist_document_ensure()
    image = cleaning_order_image_ensure()
    extra = {
        "fuwu-guifan": [
            {
                "type": "document",
                "value": {
                    "document": document.pk,
                    "title": "上门服务检查清单",
                    "description": "可以打印出来，每次上门前对照检查。",
                },
            }
        ]
    }
    if image is not None:
        extra["jiating-baojie"] = [
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "保洁顺序：1 从上到下，2 从里到外，3 先干后湿",
                    "caption": "记住保洁的三个顺序",
                },
            },
            p("下面分别说明每一条的做法。"),
        ]
    return extra


def _progress_to(
    enrolment: Enrolment, lessons: list[LessonPage], count: int, *, acting_user
) -> None:
    """Complete the first `count` lessons of the enrolment (services keep it idempotent)."""
    for minutes, lesson in enumerate(lessons[:count], start=12):
        services.lesson_visit(enrolment=enrolment, lesson=lesson)
        services.lesson_complete(enrolment=enrolment, lesson=lesson, acting_user=acting_user)
        # A believable study time for the demo (the service measures it live).
        LessonProgress.objects.filter(
            enrolment=enrolment, lesson=lesson, time_spent_seconds=0
        ).update(time_spent_seconds=minutes * 60)
    if count < len(lessons):
        services.lesson_visit(enrolment=enrolment, lesson=lessons[count])


def seed(ctx) -> None:
    index = course_index_ensure()
    main = course_ensure(index, MAIN_COURSE, extra_blocks=_extra_blocks())
    specialised = course_ensure(index, SPECIALISED_COURSE)
    if not specialised.prerequisites.filter(pk=main.pk).exists():
        specialised.prerequisites.add(main)
        specialised.save_revision().publish()
    ctx.say(
        f"  课程：{main.title}（{selectors.lessons_of(main).count()} 课时），{specialised.title}"
    )

    main_lessons = [les for les in selectors.lessons_of(main) if les.is_required]
    special_lessons = list(selectors.lessons_of(specialised))
    staff_user = ctx.users.get("agency_staff")

    # The demo worker login: half-way through the certificate course.
    demo_worker = ctx.data.get("demo_worker") or worker_for_user(ctx.users.get("worker"))
    if demo_worker is not None:
        enrolment = services.enrolment_create(
            worker=demo_worker, course=main, acting_user=demo_worker.user
        )
        _progress_to(enrolment, main_lessons, 3, acting_user=demo_worker.user)

    # Other demo workers at every stage: not enrolled, just enrolled, part-way, completed,
    # and completed plus the specialised course. Their agency's staff enrolled them.
    workers = [w for w in (ctx.data.get("workers") or []) if w != demo_worker][:DEMO_LEARNERS]
    completed = []
    for number, worker in enumerate(workers):
        stage = number % 5
        if stage == 0 and number:
            continue
        enrolment = services.enrolment_create(worker=worker, course=main, acting_user=staff_user)
        if stage == 1:
            continue
        done = {2: 2, 3: 5}.get(stage, len(main_lessons))
        _progress_to(enrolment, main_lessons, done, acting_user=worker.user)
        if done == len(main_lessons):
            completed.append(worker)
        if stage == 4 or number == 0:
            special = services.enrolment_create(
                worker=worker, course=specialised, acting_user=staff_user
            )
            _progress_to(special, special_lessons, 1 if stage == 4 else 2, acting_user=worker.user)

    ctx.data["course_index"] = index
    ctx.data["course"] = main
    ctx.data["specialised_course"] = specialised
    ctx.data["course_completed_workers"] = completed
    ctx.say(
        f"  报名：{Enrolment.objects.filter(course=main).count()} 人，"
        f"已学完 {Enrolment.objects.filter(course=main, completed_at__isnull=False).count()} 人"
    )
    ctx.urls.append(("我的学习（家政服务员登录后）", f"{settings.SITE_URL}/me/"))
