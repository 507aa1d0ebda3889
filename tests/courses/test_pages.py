"""Page types, their rules, rendering of every block, search, and the phone page weight."""

from pathlib import Path

from django.contrib.staticfiles import finders

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest
import wagtail_factories

from courses import selectors
from courses.blocks import VideoBlock, embed_player_url
from courses.models import CourseIndexPage, CoursePage, LessonPage
from tests.care import without_care_scripts
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    default_site_root,
)


class TestPageTypeRules(WagtailPageTestCase):
    """Courses live under a course index, lessons under a course, nothing under a lesson."""

    def login(self, username="editor", password="password"):  # noqa: ARG002
        """A superuser signed in with a verified second factor (the admin demands one)."""
        from django.contrib.auth import get_user_model

        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        user = get_user_model().objects.create_superuser(username=username, password=password)
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        self.client.force_login(user)
        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return user

    def test_course_index_can_live_under_a_plain_page(self):
        self.assertCanCreateAt(Page, CourseIndexPage)

    def test_course_index_takes_only_courses(self):
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})

    def test_course_only_under_a_course_index(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertCanNotCreateAt(Page, CoursePage)

    def test_course_takes_only_lessons(self):
        self.assertAllowedSubpageTypes(CoursePage, {LessonPage})
        self.assertCanNotCreateAt(CoursePage, CoursePage)

    def test_lesson_only_under_a_course_and_has_no_children(self):
        self.assertAllowedParentPageTypes(LessonPage, {CoursePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)

    def test_editor_creates_a_lesson_with_blocks_in_the_admin(self):
        self.login()
        course = CoursePageFactory()
        self.assertCanCreate(
            course,
            LessonPage,
            nested_form_data(
                {
                    "title": "家庭保洁",
                    "slug": "cleaning",
                    "intro": "",
                    "is_required": True,
                    "video_duration": "",
                    "body": streamfield(
                        [
                            ("heading", {"text": "清洁顺序", "level": "h2"}),
                            ("text", {"text": rich_text("<p>从上到下，从里到外。</p>")}),
                            (
                                "key_points",
                                {"title": "要点", "points": streamfield([("item", "先上后下")])},
                            ),
                        ]
                    ),
                }
            ),
        )
        lesson = LessonPage.objects.get(slug="cleaning")
        assert [b.block_type for b in lesson.body] == ["heading", "text", "key_points"]

    def test_pages_are_routable_and_renderable(self):
        lesson = LessonPageFactory()
        course = lesson.get_parent().specific
        for page in (course.get_parent().specific, course, lesson):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)

    def test_pages_render_as_previews(self):
        # assertPageIsPreviewable signs in through AUTHENTICATION_BACKENDS[0] (django-axes),
        # which cannot hold a session; Wagtail's own preview request is used instead.
        lesson = LessonPageFactory()
        course = lesson.get_parent().specific
        for page in (course.get_parent().specific, course, lesson):
            response = page.make_preview_request()
            assert response.status_code == 200, page


pytestmark = pytest.mark.django_db


# --- blocks -------------------------------------------------------------------------


def test_image_block_renders_phone_sized_renditions_with_srcset(client):
    image = wagtail_factories.ImageFactory(title="洗手步骤", file__width=1600, file__height=1200)
    lesson = LessonPageFactory(
        body=[
            {"type": "image", "value": {"image": image.pk, "caption": "七步洗手法", "alt_text": ""}}
        ]
    )
    html = client.get(lesson.url).content.decode()
    assert "srcset=" in html and " 360w" in html and " 720w" in html
    assert 'loading="lazy"' in html
    assert 'alt="洗手步骤"' in html
    assert "<figcaption" in html and "七步洗手法" in html


def test_uploaded_video_is_not_preloaded_and_has_its_poster(client):
    document = wagtail_factories.DocumentFactory(
        title="洗手示范", file__filename="handwash.mp4", file__data=b"\x00" * 64
    )
    poster = wagtail_factories.ImageFactory()
    lesson = LessonPageFactory(
        video_duration=120,
        body=[{"type": "video", "value": {"video": document.pk, "poster": poster.pk}}],
    )
    html = client.get(lesson.url).content.decode()
    assert 'preload="none"' in html and "poster=" in html and "autoplay" not in html
    assert "handwash" in html and 'type="video/mp4"' in html


def test_embedded_video_is_a_link_until_tapped(client):
    lesson = LessonPageFactory(video=True)
    html = client.get(lesson.url).content.decode()
    assert "<iframe" not in html
    assert "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD" in html


def test_self_check_works_without_javascript(client):
    lesson = LessonPageFactory()
    html = client.get(lesson.url).content.decode()
    assert html.count('<details class="self-check__choice') == 2
    assert "答对了" in html and "不对" in html


def test_document_block_links_the_download(client):
    document = wagtail_factories.DocumentFactory(title="上门服务检查清单")
    lesson = LessonPageFactory(
        body=[
            {
                "type": "document",
                "value": {"document": document.pk, "title": "", "description": "打印后随身携带"},
            }
        ]
    )
    html = client.get(lesson.url).content.decode()
    assert document.url in html and "上门服务检查清单" in html


@pytest.mark.parametrize(
    ("url", "player"),
    [
        (
            "https://www.bilibili.com/video/BV1GJ411x7h7/?spm=1",
            "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&autoplay=0&high_quality=0",
        ),
        (
            "https://v.qq.com/x/cover/abc/x00123.html",
            "https://v.qq.com/txp/iframe/player.html?vid=x00123&autoplay=false",
        ),
        ("https://www.youtube.com/watch?v=1", None),
        ("javascript:alert(1)", None),
    ],
)
def test_embed_player_url_allows_only_the_framed_players(url, player):
    assert embed_player_url(url) == player


def test_video_block_needs_exactly_one_source():
    from django.core.exceptions import ValidationError

    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({}))
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"embed_url": "https://example.com/v.mp4"}))
    assert block.clean(
        block.to_python({"embed_url": "https://www.bilibili.com/video/BV1xx411c7mD"})
    )


# --- navigation and states -------------------------------------------------------------


def test_lesson_links_to_previous_and_next_lessons(client):
    course = CoursePageFactory()
    first, second, third = LessonPageFactory.create_batch(3, parent=course)
    html = client.get(second.url).content.decode()
    assert f'href="{first.url}" rel="prev"' in html
    assert f'href="{third.url}" rel="next"' in html
    assert "第 2 课，共 3 课" in html


def test_anonymous_reader_is_invited_to_sign_in(client):
    lesson = LessonPageFactory()
    html = client.get(lesson.url).content.decode()
    assert "登录后可以报名并记录学习进度" in html
    assert "data-progress-url" not in html


def test_course_page_shows_the_certificate_it_prepares_for(client):
    from certificates.models import CertificateType

    course = CoursePageFactory()
    CertificateType.objects.create(
        name="上门服务证", code="SM", issuing_authority="上海市商务委员会", course=course
    )
    assert "上门服务证" in client.get(course.url).content.decode()


def test_course_index_lists_live_courses_only(client):
    index = CourseIndexPageFactory()
    CoursePageFactory(parent=index, title="母婴护理")
    hidden = CoursePageFactory(parent=index, title="草稿课程")
    hidden.unpublish()
    html = client.get(index.url).content.decode()
    assert "母婴护理" in html and "草稿课程" not in html


# --- search ---------------------------------------------------------------------------


def test_course_content_is_found_by_a_chinese_word():
    from django.core.management import call_command

    lesson = LessonPageFactory(
        title="家庭保洁",
        body=[{"type": "text", "value": {"text": "<p>擦拭玻璃时先用湿布再用干布。</p>"}}],
    )
    call_command("update_index", verbosity=0)
    found = [page.pk for page in selectors.course_search("玻璃")]
    assert lesson.pk in found
    assert lesson.pk in [page.pk for page in selectors.course_search("保洁")]
    assert list(selectors.course_search("   ")) == []


# --- phone page weight ----------------------------------------------------------------------


def test_text_and_image_lesson_weighs_under_150_kb_before_images(client, login_worker, worker):
    from courses import services

    image = wagtail_factories.ImageFactory(file__width=1600, file__height=1200)
    paragraphs = "".join(
        f"<p>{'上门服务时要注意礼貌用语，尊重客户的生活习惯。' * 6}</p>" for _ in range(12)
    )
    lesson = LessonPageFactory(
        body=[
            {"type": "heading", "value": {"text": "服务礼仪", "level": "h2"}},
            {"type": "text", "value": {"text": paragraphs}},
            {"type": "image", "value": {"image": image.pk, "caption": "示范", "alt_text": ""}},
            *LessonPageFactory.body.function()[1:],
        ]
    )
    services.enrolment_create(worker=worker, course=lesson.get_parent().specific)
    login_worker(client, worker.user)
    response = client.get(lesson.url)
    html = response.content
    import re

    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert assets, "the page links its stylesheet and script"
    weight = len(html) + sum(Path(finders.find(a.decode())).stat().st_size for a in assets)
    assert weight < 150 * 1024, f"{weight} bytes"
    assert b"<script>" not in without_care_scripts(html) and b' style="' not in html


def test_default_site_root_is_where_factories_put_the_index():
    index = CourseIndexPageFactory()
    assert index.get_parent().pk == default_site_root().pk


def test_a_video_lesson_needs_its_duration():
    from django.core.exceptions import ValidationError

    lesson = LessonPageFactory(video=True)
    lesson.video_duration = None
    with pytest.raises(ValidationError) as error:
        lesson.full_clean()
    assert "video_duration" in error.value.message_dict
