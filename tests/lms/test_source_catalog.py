"""Chinese source strings are found at once in the zh-hans catalog, which stays current."""

from django.utils import translation
from django.utils.translation import trans_real

from lms.management.commands.source_catalog import catalog_path, render_catalog


def test_the_committed_catalog_lists_every_app_message():
    # `make messages` regenerates it; a new message without it would walk the fallbacks.
    assert catalog_path().read_text(encoding="utf-8") == render_catalog()


def test_a_source_string_is_in_the_zh_hans_catalog_itself():
    with translation.override("zh-hans"):
        active = trans_real._active.value
        for message in ("跳到正文", "查询结果", "信用良好"):
            assert active._catalog.get(message) == message
            assert translation.gettext(message) == message


def test_plural_messages_are_left_to_their_source_forms():
    enrolled = "已为 %(count)d 名学员报名《%(course)s》。"
    assert f'msgid "{enrolled}"' not in render_catalog()
    with translation.override("zh-hans"):
        assert translation.ngettext(enrolled, enrolled, 3) == enrolled


def test_english_is_unchanged():
    with translation.override("en"):
        assert translation.gettext("跳到正文") == "Skip to content"
