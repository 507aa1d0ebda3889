"""QTI 2.1 content packages (IMS / 1EdTech): read choice items into the bank, and write them.

Grammar (QTI 2.1 and IMS Content Packaging 1.1), the parts the bank uses::

    package   := zip { entry }, with one "imsmanifest.xml" (the shallowest one)
    manifest  := <manifest> <resources> { resource } </resources> </manifest>
    resource  := <resource type="imsqti_item_xmlv2p1" href="item.xml"> { <file href/> }
    item      := <assessmentItem identifier="I" title="T">
                   { <responseDeclaration identifier="R" cardinality="single|multiple">
                       [ <correctResponse> { <value>choice id</value> } </correctResponse> ]
                       [ <mapping> { <mapEntry mapKey="id" mappedValue="v"/> } </mapping> ] }
                   <itemBody> xhtml … interaction … </itemBody>
                   { <modalFeedback> xhtml </modalFeedback> }
                 </assessmentItem>
    interaction := <choiceInteraction responseIdentifier="R" maxChoices="n">
                     [ <prompt> xhtml </prompt> ] { <simpleChoice identifier="id"> xhtml } …

Elements are matched by local name, so the 2.0, 2.1 and 2.2 namespaces all
read. How items map to the bank: one ``choiceInteraction`` per item; the
stem is the item body's text (without the interaction) and then the
prompt; cardinality ``single`` is single choice, ``multiple`` is multiple
choice (with one right answer alone it becomes single choice, with a note);
the right answers are ``correctResponse`` or, without it, the mapping's
positive entries; a single-cardinality item whose two choices are
identified ``T`` and ``F`` is true/false (as :func:`write` writes one). The
item's modal feedback becomes the explanation. Any other interaction
(text entry, extended text, order, match, associate, gap match, hotspot, …)
or several interactions in one item are reported as types the bank cannot
hold. An ``<img src>`` (or an image ``<object data>``) in the stem is the
question's image, read from the package relative to the item file.

Zip entries are read in memory, never extracted, and the package's total
unpacked size and entry count are capped; XML is parsed with ``defusedxml``
(no DTDs, entities or external references; see ``moodle_xml``).
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET  # noqa: S405 - used only to build documents, never to parse
import zipfile
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import grading
from .base import ExchangeError, ImageRef, Item, Problem, Reading, keyed, tidy
from .moodle_xml import parse_xml

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
MAX_ENTRIES = 50_000
MAX_UNPACKED = 512 * 1024 * 1024

UNSUPPORTED = {
    "textEntryInteraction": gettext_lazy("填空题（文本输入）"),
    "extendedTextInteraction": gettext_lazy("问答题（作文题）"),
    "orderInteraction": gettext_lazy("排序题"),
    "graphicOrderInteraction": gettext_lazy("图片排序题"),
    "matchInteraction": gettext_lazy("匹配题"),
    "associateInteraction": gettext_lazy("配对题"),
    "graphicAssociateInteraction": gettext_lazy("图片配对题"),
    "gapMatchInteraction": gettext_lazy("选词填空题"),
    "graphicGapMatchInteraction": gettext_lazy("图片填空题"),
    "inlineChoiceInteraction": gettext_lazy("下拉选择填空题"),
    "hottextInteraction": gettext_lazy("文中选词题"),
    "hotspotInteraction": gettext_lazy("热区题"),
    "selectPointInteraction": gettext_lazy("选点题"),
    "positionObjectInteraction": gettext_lazy("放置题"),
    "sliderInteraction": gettext_lazy("滑块题"),
    "uploadInteraction": gettext_lazy("上传文件题"),
    "drawingInteraction": gettext_lazy("绘图题"),
    "mediaInteraction": gettext_lazy("音视频题"),
    "customInteraction": gettext_lazy("自定义交互题"),
}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}
_SKIP = {"feedbackBlock", "feedbackInline", "rubricBlock", "templateBlock", "templateInline"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name: str):
    return [child for child in element.iter() if _local(child.tag) == name]


class _Package:
    """The entries of a zip, read in memory with limits."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(BytesIO(data))
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExchangeError(_("文件不是有效的 zip 压缩包（QTI 包应为 .zip）。")) from exc
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise ExchangeError(_("压缩包解压后过大（超过 512 MB 或 5 万个文件）。"))
        self.names = {i.filename for i in infos if not i.is_dir()}

    def read(self, name: str) -> bytes | None:
        if name not in self.names:
            return None
        return self.zip.read(name)


def _join(base: str, href: str) -> str | None:
    """`href` (relative to the folder `base`) as a path inside the zip, or None if it leaves it."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    if "://" in href or href.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(base, href))
    return None if path.startswith("..") else path


def read(data: bytes) -> Reading:
    """Every item of a QTI 2.1 package, and what cannot be imported (see the grammar)."""
    package = _Package(data)
    manifests = sorted(
        (n for n in package.names if posixpath.basename(n) == "imsmanifest.xml"),
        key=lambda n: (n.count("/"), n),
    )
    if not manifests:
        raise ExchangeError(_("压缩包中没有 imsmanifest.xml，不是 QTI 包。"))
    base = posixpath.dirname(manifests[0])
    manifest = parse_xml(package.read(manifests[0]), "imsmanifest.xml ")
    resources = [
        r for r in _children(manifest, "resource") if r.get("type", "").startswith("imsqti_item")
    ]
    if not resources:
        raise ExchangeError(_("清单中没有试题（类型为 imsqti_item_xmlv2p1 的资源）。"))
    reading = Reading(encoding="utf-8")
    for number, resource in enumerate(resources, start=1):
        href = resource.get("href", "")
        path = _join(base, href)
        where = _("试题 %(id)s（%(href)s）") % {"id": resource.get("identifier", ""), "href": href}
        content = package.read(path) if path else None
        if content is None:
            message = _("清单列出的试题文件不在压缩包中。")
            reading.problems.append(Problem(where, message, order=number))
            continue
        try:
            root = parse_xml(content, href + " ")
        except ExchangeError as exc:
            reading.problems.append(Problem(where, str(exc), order=number))
            continue
        if _local(root.tag) != "assessmentItem":
            message = _("不是 assessmentItem 试题。")
            reading.problems.append(Problem(where, message, order=number))
            continue
        where = _("试题 %(id)s（%(href)s）") % {"id": root.get("identifier", ""), "href": href}
        _item(reading, root, package, posixpath.dirname(path), where=where, number=number)
    return reading


def _text_of(element, *, skip_interactions: bool = True) -> tuple[str, list[str]]:
    """(plain text, image sources) of an XHTML-in-QTI element."""
    parts: list[str] = []
    images: list[str] = []

    def walk(node):
        name = _local(node.tag)
        if name in _SKIP or (skip_interactions and name.endswith("Interaction")):
            return
        if name in ("modalFeedback",) and node is not element:
            return
        if name in _BLOCKS:
            parts.append("\n")
        if name == "img" and node.get("src"):
            images.append(node.get("src"))
        if name == "object" and node.get("type", "").startswith("image/") and node.get("data"):
            images.append(node.get("data"))
        if node.text and name != "object":
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if name in _BLOCKS:
            parts.append("\n")

    if element is not None:
        walk(element)
    return tidy("".join(parts)), images


def _item(reading, root, package, folder, *, where, number) -> None:
    name = tidy(root.get("title", ""))
    body = next(iter(_children(root, "itemBody")), None)
    interactions = [e for e in (body.iter() if body is not None else []) if _is_interaction(e)]
    if len(interactions) != 1:
        message = (
            _("一道题里有 %(n)s 个交互，题库每题只能有一组选项。") % {"n": len(interactions)}
            if interactions
            else _("试题中没有可作答的交互。")
        )
        reading.problems.append(Problem(where, message, name, number))
        return
    interaction = interactions[0]
    kind = _local(interaction.tag)
    if kind != "choiceInteraction":
        label = UNSUPPORTED.get(kind) or _("QTI 交互 %(name)s") % {"name": kind}
        reading.unsupported(where, str(label), name=name, order=number)
        return
    text, sources = _text_of(body)
    prompt = next(iter(_children(interaction, "prompt")), None)
    prompt_text, prompt_images = _text_of(prompt)
    sources += prompt_images
    stem = "\n".join(filter(None, [text, prompt_text]))
    explanation = "\n".join(
        filter(None, (_text_of(f)[0] for f in _children(root, "modalFeedback")))
    )
    item = Item(
        where=where,
        type="",
        stem=stem,
        choices=[],
        correct=[],
        explanation=explanation,
        name=name,
        order=number,
    )
    if sources:
        path = _join(folder, sources[0])
        item.image = ImageRef(
            posixpath.basename(path or sources[0]), package.read(path) if path else None
        )
        item.extra_images = len(sources) - 1
    ids, texts = [], []
    for choice in _children(interaction, "simpleChoice"):
        choice_text, choice_images = _text_of(choice)
        if choice_images:
            message = _("选项中有图片：题库的选项只能是文字。")
            reading.problems.append(Problem(where, message, name, number))
            return
        ids.append(choice.get("identifier", ""))
        texts.append(choice_text)
    response_id = interaction.get("responseIdentifier", "")
    declaration = next(
        (d for d in _children(root, "responseDeclaration") if d.get("identifier") == response_id),
        None,
    )
    right = _right_ids(declaration)
    cardinality = declaration.get("cardinality", "single") if declaration is not None else ""
    if cardinality == "single" and sorted(ids) == ["F", "T"]:
        item.type = grading.TRUE_FALSE
        item.choices = [dict(c) for c in grading.TRUE_FALSE_CHOICES]
        item.correct = [i for i in ("T", "F") if i in right]
    else:
        item.choices = keyed(texts)
        item.correct = [c["key"] for c, i in zip(item.choices, ids, strict=True) if i in right]
        if cardinality == "multiple" and len(item.correct) > 1:
            item.type = grading.MULTIPLE
        else:
            item.type = grading.SINGLE
            if cardinality == "multiple":
                item.notes.append(_("多选题只有一个正确答案，按单选题导入。"))
    reading.items.append(item)


def _is_interaction(element) -> bool:
    name = _local(element.tag)
    return name.endswith("Interaction") and name != "endAttemptInteraction"


def _right_ids(declaration) -> set[str]:
    if declaration is None:
        return set()
    values = {
        (v.text or "").strip()
        for c in _children(declaration, "correctResponse")
        for v in _children(c, "value")
    }
    if values:
        return values
    right = set()
    for entry in _children(declaration, "mapEntry"):
        try:
            if float(entry.get("mappedValue", "0")) > 0:
                right.add(entry.get("mapKey", ""))
        except ValueError:
            continue
    return right


# ---------------------------------------------------------------------------
# Writing


def _paragraphs(parent, text: str) -> None:
    for line in text.split("\n"):
        ET.SubElement(parent, "p").text = line


def item_xml(item: Item, identifier: str, image_href: str | None) -> bytes:
    """One assessmentItem (QTI 2.1) for `item`; `image_href` relative to the item file."""
    # Plain element names with the namespace declared on the root: ElementTree's
    # default_namespace option refuses the unqualified attributes QTI uses.
    root = ET.Element(
        "assessmentItem",
        {
            "xmlns": QTI_NS,
            "identifier": identifier,
            "title": item.name or item.stem.split("\n")[0][:60],
            "adaptive": "false",
            "timeDependent": "false",
        },
    )
    multiple = item.type == grading.MULTIPLE
    declaration = ET.SubElement(
        root,
        "responseDeclaration",
        {
            "identifier": "RESPONSE",
            "cardinality": "multiple" if multiple else "single",
            "baseType": "identifier",
        },
    )
    correct = ET.SubElement(declaration, "correctResponse")
    for key in item.correct:
        ET.SubElement(correct, "value").text = key
    ET.SubElement(
        root,
        "outcomeDeclaration",
        {"identifier": "SCORE", "cardinality": "single", "baseType": "float"},
    )
    if item.explanation:
        ET.SubElement(
            root,
            "outcomeDeclaration",
            {"identifier": "FEEDBACK", "cardinality": "single", "baseType": "identifier"},
        )
    body = ET.SubElement(root, "itemBody")
    _paragraphs(body, item.stem)
    if image_href:
        ET.SubElement(ET.SubElement(body, "p"), "img", {"src": image_href, "alt": ""})
    interaction = ET.SubElement(
        body,
        "choiceInteraction",
        {
            "responseIdentifier": "RESPONSE",
            "shuffle": "false" if item.type == grading.TRUE_FALSE else "true",
            "maxChoices": "0" if multiple else "1",
        },
    )
    for choice in item.choices:
        element = ET.SubElement(interaction, "simpleChoice", {"identifier": choice["key"]})
        element.text = choice["text"]
    ET.SubElement(
        root,
        "responseProcessing",
        {"template": "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"},
    )
    if item.explanation:
        feedback = ET.SubElement(
            root,
            "modalFeedback",
            {"outcomeIdentifier": "FEEDBACK", "identifier": "EXPLANATION", "showHide": "hide"},
        )
        _paragraphs(feedback, item.explanation)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write(items: list[Item], *, category: str = "") -> bytes:
    """A QTI 2.1 content package (zip) of `items`, with their images; it reads back the same."""
    manifest = ET.Element("manifest", {"xmlns": CP_NS, "identifier": "MANIFEST"})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for number, item in enumerate(items, start=1):
            identifier = f"q{number}"
            href = f"items/{identifier}.xml"
            image_href = None
            if item.image is not None and item.image.data is not None:
                image_href = f"images/{identifier}-{posixpath.basename(item.image.name)}"
                package.writestr(f"items/{image_href}", item.image.data)
            package.writestr(href, item_xml(item, identifier, image_href))
            resource = ET.SubElement(
                resources,
                "resource",
                {"identifier": identifier, "type": "imsqti_item_xmlv2p1", "href": href},
            )
            ET.SubElement(resource, "file", {"href": href})
            if image_href:
                ET.SubElement(resource, "file", {"href": f"items/{image_href}"})
        ET.indent(manifest)
        package.writestr(
            "imsmanifest.xml",
            ET.tostring(manifest, encoding="utf-8", xml_declaration=True),
        )
    return out.getvalue()
