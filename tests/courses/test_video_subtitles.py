"""Lesson videos take an editor's WebVTT subtitle track, rendered for care mode to show by default."""

from django.core.exceptions import ValidationError

import pytest
import wagtail_factories

from courses.blocks import VideoBlock
from tests.courses.factories import LessonPageFactory

pytestmark = pytest.mark.django_db

VTT = "WEBVTT\n\n00:00.000 --> 00:04.000\n先用肥皂搓洗手心。\n".encode()


def video(name="handwash.mp4"):
    return wagtail_factories.DocumentFactory(file__filename=name, file__data=b"\x00" * 64)


def subtitles(name="handwash.vtt", data=VTT):
    return wagtail_factories.DocumentFactory(file__filename=name, file__data=data)


def clean(value):
    block = VideoBlock()
    return block.clean(block.to_python(value))


def test_a_webvtt_file_is_accepted_as_the_subtitles_of_an_uploaded_video():
    value = clean({"video": video().pk, "subtitles": subtitles().pk})
    assert value.subtitles_url.endswith("handwash.vtt")


def test_a_webvtt_file_with_a_byte_order_mark_is_accepted():
    assert clean({"video": video().pk, "subtitles": subtitles(data=b"\xef\xbb\xbf" + VTT).pk})


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("handwash.srt", b"1\n00:00:00,000 --> 00:00:04,000\nhello\n"),  # SubRip, not WebVTT
        ("handwash.vtt", b"1\n00:00:00,000 --> 00:00:04,000\nhello\n"),  # renamed SubRip
        ("handwash.vtt", b"WEBVTTX\n"),  # not the signature
        ("handwash.txt", VTT),
    ],
)
def test_anything_but_webvtt_is_refused_with_a_reason(name, data):
    with pytest.raises(ValidationError) as refused:
        clean({"video": video().pk, "subtitles": subtitles(name=name, data=data).pk})
    assert "WebVTT" in str(refused.value.block_errors["subtitles"])


def test_subtitles_need_an_uploaded_video_not_an_embedded_player():
    with pytest.raises(ValidationError) as refused:
        clean(
            {
                "embed_url": "https://www.bilibili.com/video/BV1xx411c7mD",
                "subtitles": subtitles().pk,
            }
        )
    assert "subtitles" in refused.value.block_errors


def test_the_lesson_renders_a_chinese_subtitle_track_for_care_mode_to_switch_on(client):
    track = subtitles()
    lesson = LessonPageFactory(
        video_duration=120,
        body=[{"type": "video", "value": {"video": video().pk, "subtitles": track.pk}}],
    )
    html = client.get(lesson.url).content.decode()
    assert "data-subtitled" in html
    assert f'<track kind="subtitles" srclang="zh" label="中文字幕" src="{track.url}">' in html
    # Served to the player as WebVTT.
    response = client.get(track.url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")


def test_a_video_without_subtitles_has_no_track(client):
    lesson = LessonPageFactory(
        video_duration=120, body=[{"type": "video", "value": {"video": video().pk}}]
    )
    html = client.get(lesson.url).content.decode()
    assert "<track" not in html and "data-subtitled" not in html
