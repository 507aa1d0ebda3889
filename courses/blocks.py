"""StreamField blocks of a lesson body (课时正文).

Each block is a ``StructBlock`` with an icon, one template under
``courses/blocks/`` and a preview value, so editors see what a worker sees.
Everything renders usefully without JavaScript: videos are never loaded until
tapped, and the self-check question answers itself with ``<details>``.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

#: Video files a phone browser plays in a ``<video>`` element.
VIDEO_EXTENSIONS = ("mp4", "webm", "m4v")


def is_webvtt(document) -> bool:
    """Whether an uploaded document is a WebVTT file: a .vtt name and the "WEBVTT" signature.

    A browser silently ignores a subtitle track that is not WebVTT, so the
    editor is told at once instead.
    """
    if document.file_extension.lower() != "vtt":
        return False
    try:
        with document.file.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"WEBVTT") and head[6:7] in (b"", b" ", b"\t", b"\n", b"\r")


def embed_player_url(url: str) -> str | None:
    """The player address of a Bilibili or Tencent Video link, or None for any other site.

    Only these players are allowed to be framed (the Content-Security-Policy's
    ``frame-src``), so an editor's link is turned into the player URL here, with
    autoplay off.
    """
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host == "player.bilibili.com":
        query = parse_qs(parts.query)
        query["autoplay"] = ["0"]
        return "https://player.bilibili.com/player.html?" + urlencode(query, doseq=True)
    if host in ("www.bilibili.com", "bilibili.com", "m.bilibili.com"):
        if len(segments) >= 2 and segments[0] == "video":
            video_id = segments[1]
            key = "bvid" if video_id[:2].upper() == "BV" else "aid"
            value = video_id if key == "bvid" else video_id.removeprefix("av")
            return "https://player.bilibili.com/player.html?" + urlencode(
                {key: value, "autoplay": 0, "high_quality": 0}
            )
        return None
    if host == "v.qq.com":
        query = parse_qs(parts.query)
        if segments[:2] == ["txp", "iframe"] and query.get("vid"):
            return "https://v.qq.com/txp/iframe/player.html?" + urlencode(
                {"vid": query["vid"][0], "autoplay": "false"}
            )
        if segments and segments[-1].endswith(".html") and segments[0] == "x":
            vid = segments[-1].removesuffix(".html")
            return "https://v.qq.com/txp/iframe/player.html?" + urlencode(
                {"vid": vid, "autoplay": "false"}
            )
    return None


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a lesson (rendered as ``<h2>``/``<h3>``)."""

    text = blocks.CharBlock(label=_("标题文字"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("级别"),
        choices=[("h2", _("二级标题")), ("h3", _("三级标题"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("小标题")
        template = "courses/blocks/heading.html"
        preview_value = {"text": "上门前的准备", "level": "h2"}


class RichTextSectionBlock(blocks.StructBlock):
    """Paragraphs, lists and links."""

    text = blocks.RichTextBlock(
        label=_("正文"),
        features=["bold", "italic", "ol", "ul", "link", "document-link"],
    )

    class Meta:
        icon = "pilcrow"
        label = _("正文段落")
        template = "courses/blocks/rich_text.html"
        preview_value = {
            "text": "<p>进入客户家中前，先按门铃或敲门，说明来意，征得同意后再进门。</p>"
        }


class ImageFigureBlock(blocks.StructBlock):
    """An image in phone-sized renditions (``srcset``) with its caption."""

    image = ImageChooserBlock(label=_("图片"))
    alt_text = blocks.CharBlock(
        label=_("替代文字"),
        required=False,
        max_length=200,
        help_text=_("给看不到图片的人读的简短描述；不填则使用图片标题。"),
    )
    caption = blocks.CharBlock(label=_("图片说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "courses/blocks/image.html"
        preview_value = {"caption": "正确的洗手步骤"}


class VideoValue(blocks.StructValue):
    """Presentation helpers for a video block."""

    @property
    def player_url(self) -> str | None:
        return embed_player_url(self.get("embed_url") or "")

    @property
    def is_upload(self) -> bool:
        return bool(self.get("video"))

    @property
    def subtitles_url(self) -> str | None:
        """The WebVTT track of an uploaded video (shown by default in care mode), or None."""
        subtitles = self.get("subtitles")
        return subtitles.url if subtitles and self.is_upload else None


class VideoBlock(blocks.StructBlock):
    """A lesson video: an uploaded file (with a poster image) or a chosen Bilibili/Tencent embed.

    Never auto-loaded: the file is fetched only when the worker presses play,
    and an embed's player is only inserted after a tap (a plain link without
    JavaScript).
    """

    video = DocumentChooserBlock(
        label=_("视频文件"),
        required=False,
        help_text=_("上传 MP4 或 WebM 文件（建议 480p，便于手机流量观看）。"),
    )
    poster = ImageChooserBlock(label=_("封面图"), required=False)
    embed_url = blocks.URLBlock(
        label=_("外部视频链接"),
        required=False,
        help_text=_("或者填写哔哩哔哩、腾讯视频的视频页面链接。"),
    )
    caption = blocks.CharBlock(label=_("视频说明"), required=False, max_length=200)
    subtitles = DocumentChooserBlock(
        label=_("字幕（WebVTT）"),
        required=False,
        help_text=_("上传的视频可以配一个 .vtt 字幕文件；关怀版默认显示字幕。"),
    )

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        has_file, has_embed = bool(value.get("video")), bool(value.get("embed_url"))
        if has_file == has_embed:
            errors["video"] = ValidationError(
                _("请上传一个视频文件，或者填写一个外部视频链接（二选一）。")
            )
        elif has_file:
            extension = value["video"].file_extension.lower()
            if extension not in VIDEO_EXTENSIONS:
                errors["video"] = ValidationError(
                    _("视频文件须为 %(formats)s 格式。"),
                    params={"formats": "、".join(VIDEO_EXTENSIONS)},
                )
        elif embed_player_url(value["embed_url"]) is None:
            errors["embed_url"] = ValidationError(_("只支持哔哩哔哩和腾讯视频的链接。"))
        if value.get("subtitles"):
            if not has_file:
                errors["subtitles"] = ValidationError(
                    _("字幕只能配上传的视频文件；外部视频请在对方网站上加字幕。")
                )
            elif not is_webvtt(value["subtitles"]):
                errors["subtitles"] = ValidationError(
                    _("字幕须为 WebVTT 格式（.vtt 文件，第一行是 WEBVTT）。")
                )
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    class Meta:
        icon = "media"
        label = _("视频")
        template = "courses/blocks/video.html"
        value_class = VideoValue
        preview_value = {
            "embed_url": "https://www.bilibili.com/video/BV1xx411c7mD",
            "caption": "示范：七步洗手法",
        }


class DocumentDownloadBlock(blocks.StructBlock):
    """A file to download (checklists, forms, the full regulation text)."""

    document = DocumentChooserBlock(label=_("文件"))
    title = blocks.CharBlock(
        label=_("显示名称"), required=False, max_length=120, help_text=_("不填则使用文件标题。")
    )
    description = blocks.CharBlock(label=_("简要说明"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("资料下载")
        template = "courses/blocks/document.html"
        preview_value = {"title": "上门服务检查清单", "description": "打印后随身携带"}


class KeyPointsBlock(blocks.StructBlock):
    """A boxed list of what to remember from the lesson (本课要点)."""

    title = blocks.CharBlock(label=_("标题"), default=_("本课要点"), max_length=60)
    points = blocks.ListBlock(blocks.CharBlock(label=_("要点"), max_length=300), label=_("要点"))

    class Meta:
        icon = "list-ul"
        label = _("要点提示")
        template = "courses/blocks/key_points.html"
        preview_value = {
            "title": "本课要点",
            "points": ["进门先敲门、说明来意", "穿戴整洁、佩戴上门服务证", "不随意翻动客户物品"],
        }


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("选项"), max_length=200)
    is_correct = blocks.BooleanBlock(label=_("正确答案"), required=False)
    feedback = blocks.CharBlock(
        label=_("选这个时的提示"),
        required=False,
        max_length=300,
        help_text=_("说明为什么对或不对。"),
    )

    class Meta:
        icon = "radio-full"
        label = _("选项")


class SelfCheckValue(blocks.StructValue):
    @property
    def correct_count(self) -> int:
        return sum(1 for choice in self.get("choices") or [] if choice.get("is_correct"))


class SelfCheckBlock(blocks.StructBlock):
    """A short practice question with instant feedback; not graded and not recorded.

    Without JavaScript each choice is a ``<details>`` element that reveals its
    feedback when tapped; the script only closes the other choices.
    """

    question = blocks.CharBlock(label=_("问题"), max_length=300)
    choices = blocks.ListBlock(ChoiceBlock(), label=_("选项"), min_num=2, max_num=6)
    explanation = blocks.TextBlock(
        label=_("讲解"), required=False, help_text=_("看完任一选项后都会显示。")
    )

    def clean(self, value):
        value = super().clean(value)
        if not any(choice.get("is_correct") for choice in value.get("choices") or []):
            raise StructBlockValidationError(
                block_errors={"choices": ValidationError(_("请至少标出一个正确答案。"))}
            )
        return value

    class Meta:
        icon = "help"
        label = _("自测题")
        template = "courses/blocks/self_check.html"
        value_class = SelfCheckValue
        preview_value = {
            "question": "进入客户家门前，第一件事应该做什么？",
            "choices": [
                {"text": "直接开门进去", "is_correct": False, "feedback": "未经同意不能进门。"},
                {"text": "敲门并说明来意", "is_correct": True, "feedback": "对，先征得同意。"},
            ],
            "explanation": "尊重客户的居住空间，是上门服务的第一条规矩。",
        }


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    text = RichTextSectionBlock()
    image = ImageFigureBlock()
    video = VideoBlock()
    document = DocumentDownloadBlock()
    key_points = KeyPointsBlock()
    self_check = SelfCheckBlock()

    class Meta:
        block_counts = {"video": {"max_num": 1}}
