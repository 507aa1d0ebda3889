"""Demo data of the certificates app: a 上门服务证 type and certificates in every state.

Runs after registry, courses and exams (``seed_demo``), reads their hand-offs
(``ctx.data["course"]``, ``["exam"]``, ``["workers"]``) and is idempotent: a
certificate that exists for a demo worker and the type is kept, so its token
(and the printed URLs) stay the same from run to run.
"""

from __future__ import annotations

import datetime
import io
import math

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images.models import Image

from lms.pdffonts import CJK_FONT_CANDIDATES
from registry.selectors.credit import worker_is_blacklisted
from registry.selectors.filings import worker_is_registered

from . import door
from .models import Certificate, CertificateType, RenewalRule
from .selectors.lookup import verify_url
from .selectors.pending import attempts_without_certificate
from .selectors.records import current_certificate
from .services.common import CertificateRefused, add_months
from .services.issuing import certificate_grant, certificate_issue
from .services.rendering import certificate_render
from .services.replacement import certificate_reissue
from .services.revocation import certificate_revoke

TYPE_CODE = "JZ"
ISSUER = "上海市商务委员会"
WORDING = (
    "该同志已完成上海市家政服务员上门服务培训课程，经考核成绩合格，准予从事上门家政服务，特发此证。"
)


# --- artwork (also used by the tests and benchmarks) --------------------------


def _cjk_font(size: int):
    from PIL import ImageFont

    for path, _index in (
        *CJK_FONT_CANDIDATES,
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def make_seal_png(text: str = ISSUER, size: int = 400) -> bytes:
    """A round red demo seal (star in the middle, `text` along the rim) with transparency."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    red = (200, 20, 20, 235)
    image = PILImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=size // 28)
    centre = size / 2
    outer, inner = size * 0.15, size * 0.057
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        radius = outer if i % 2 == 0 else inner
        points.append((centre + radius * math.cos(angle), centre + radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    font = _cjk_font(size // 9)
    if font is not None and text:
        span = math.radians(240)
        glyph = size // 7
        for i, char in enumerate(text):
            angle = math.radians(-210) + span * (i + 0.5) / len(text)
            x = centre + size * 0.34 * math.cos(angle)
            y = centre + size * 0.34 * math.sin(angle)
            tile = PILImage.new("RGBA", (glyph, glyph), (0, 0, 0, 0))
            ImageDraw.Draw(tile).text(
                (glyph / 2, glyph / 2), char, font=font, fill=red, anchor="mm"
            )
            tile = tile.rotate(-math.degrees(angle) - 90, resample=PILImage.Resampling.BICUBIC)
            image.alpha_composite(tile, (int(x - glyph / 2), int(y - glyph / 2)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_photo_jpeg(seed: int = 0, size=(360, 480)) -> bytes:
    """A plain portrait silhouette as a stand-in ID photo (no real person)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    w, h = size
    backgrounds = [(200, 215, 235), (235, 240, 245), (210, 225, 210)]
    image = PILImage.new("RGB", size, backgrounds[seed % len(backgrounds)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((w * 0.32, h * 0.14, w * 0.68, h * 0.46), fill=(95, 75, 62))
    draw.ellipse((w * 0.15, h * 0.52, w * 0.85, h * 1.2), fill=(40 + seed * 10 % 60, 60, 110))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


# --- seed ---------------------------------------------------------------------


def _seal_image() -> Image:
    image = Image.objects.filter(title="上海市商务委员会印章（演示）").first()
    if image is None:
        image = Image(title="上海市商务委员会印章（演示）")
        image.file = ImageFile(io.BytesIO(make_seal_png()), name="demo-seal.png")
        image.save()
    return image


def _certificate_type(ctx) -> CertificateType:
    cert_type, _created = CertificateType.objects.update_or_create(
        code=TYPE_CODE,
        defaults={
            "name": "上门服务证",
            "issuing_authority": ISSUER,
            "validity_months": 36,
            "course": ctx.data.get("course"),
            "exam": ctx.data.get("exam"),
            "pdf_title": "上门服务证",
            "pdf_wording": WORDING,
            "renewal_rule": RenewalRule.REEXAM,
            "renewal_window_days": 90,
        },
    )
    if cert_type.seal_image_id is None:
        cert_type.seal_image = _seal_image()
        cert_type.save(update_fields=["seal_image"])
    ctx.data["certificate_type"] = cert_type
    return cert_type


def _eligible_workers(ctx) -> list:
    workers = list(ctx.data.get("workers") or [])
    return [w for w in workers if worker_is_registered(w) and not worker_is_blacklisted(w)]


#: The certificate states the demo prints a link for, with the printed label.
SCENARIOS = [
    ("valid", "有效证书 valid"),
    ("expired", "已过期证书 expired"),
    ("revoked", "已撤销证书 revoked"),
    ("superseded", "已被取代证书 superseded（补发前的旧证书）"),
]


def _shows(worker, cert_type, today) -> str | None:
    """The scenario this worker's certificates of the type show, "" for none yet, None for a mix.

    A worker qualifies for a scenario only if the link printed for it can show
    nothing else: one certificate in that state (or, for "superseded", one
    reissued pair), and no other certificate of the type.
    """
    chain = list(Certificate.objects.filter(worker=worker, type=cert_type).order_by("pk"))
    if not chain:
        return ""
    root = chain[0]
    status = root.status_on(today)
    if status == Certificate.Status.SUPERSEDED:
        return "superseded" if len(chain) == 2 and root.superseded_by_id == chain[1].pk else None
    if status == Certificate.Status.VALID:
        # A valid certificate (from a passed exam, say) serves the valid link.
        return "valid" if current_certificate(root).status_on(today) == "valid" else None
    return status if len(chain) == 1 else None


def _scenario_workers(workers: list, cert_type, today) -> dict:
    """{scenario: worker}: one worker per scenario, the same ones from run to run.

    Workers already showing a scenario keep it (the printed URLs stay the
    same); the remaining scenarios go to workers with no certificate of the
    type yet, never to one whose exam already earned a valid certificate (its
    "expired" link would open a valid certificate).
    """
    shows = {worker.pk: _shows(worker, cert_type, today) for worker in workers}
    chosen = {}
    # The first worker (the one who signs in with the demo phone) holds the valid one.
    if workers and shows[workers[0].pk] in ("", "valid"):
        chosen["valid"] = workers[0]
    for scenario, _label in SCENARIOS:
        if scenario in chosen:
            continue
        for worker in workers:
            if shows[worker.pk] == scenario and worker not in chosen.values():
                chosen[scenario] = worker
                break
    for scenario, _label in SCENARIOS:
        if scenario in chosen:
            continue
        for worker in workers:
            if shows[worker.pk] == "" and worker not in chosen.values():
                chosen[scenario] = worker
                break
    return chosen


def _existing(worker, cert_type) -> Certificate | None:
    """The first certificate of this worker and type (its chain's root), if any."""
    return Certificate.objects.filter(worker=worker, type=cert_type).order_by("pk").first()


def seed(ctx) -> None:
    cert_type = _certificate_type(ctx)
    admin = ctx.users.get("admin")
    today = timezone.localdate()

    # Passed attempts that the exams demo produced before this type existed.
    if cert_type.exam_id:
        for attempt in attempts_without_certificate():
            if attempt.exam_id == cert_type.exam_id:
                try:
                    certificate_issue(attempt=attempt, acting_user=admin)
                except CertificateRefused as refusal:
                    ctx.say(f"  跳过考试记录 {attempt.pk}：{refusal.messages[0]}")

    workers = _eligible_workers(ctx)
    demo_login = ctx.users.get("worker")
    # The worker who signs in with the demo phone gets the valid certificate first.
    workers.sort(key=lambda w: 0 if demo_login and w.user_id == demo_login.pk else 1)
    chosen = _scenario_workers(workers, cert_type, today)
    if len(chosen) < len(SCENARIOS):
        ctx.say("  演示服务员不足（需要 4 名已登记、尚无证书的服务员），只生成部分证书。")
    urls = {}
    for scenario, _label in SCENARIOS:
        worker = chosen.get(scenario)
        if worker is None:
            continue
        certificate = _existing(worker, cert_type)
        if certificate is None:
            certificate = _create_scenario(scenario, worker, cert_type, admin, today)
        current = current_certificate(certificate)
        certificate_render(certificate_id=current.pk)
        # The valid link is the newest of the chain; the others show the
        # certificate that is in that state (a reissue's old token: superseded).
        shown = current if scenario == "valid" else certificate
        urls[scenario] = verify_url(shown.token)
    ctx.data["certificate_urls"] = urls
    for key, label in SCENARIOS:
        if key in urls:
            ctx.urls.append((label, urls[key]))
    _door_urls(ctx, cert_type)
    count = Certificate.objects.filter(type=cert_type).count()
    ctx.say(f"  证书类型 {cert_type.name}（{cert_type.code}）：{count} 张证书，均已生成 PDF。")


def _door_urls(ctx, cert_type) -> None:
    """Print a verification URL for a green, a yellow and a red worker, with the reasons."""
    today = timezone.localdate()
    found = {}
    for certificate in (
        Certificate.objects.filter(type=cert_type, superseded_by__isnull=True)
        .select_related("worker")
        .order_by("pk")
    ):
        status = door.door_status(certificate.worker, certificate=certificate, today=today)
        found.setdefault(status.colour, (certificate, status))
    labels = {"green": "绿码 green", "yellow": "黄码 yellow", "red": "红码 red"}
    for colour, label in labels.items():
        if colour not in found:
            ctx.say(f"  没有{label}的演示证书。")
            continue
        certificate, status = found[colour]
        reasons = "；".join(status.reasons) or "证照齐全"
        ctx.urls.append((f"{label}（{reasons}）", verify_url(certificate.token)))


def _create_scenario(scenario, worker, cert_type, admin, today) -> Certificate:
    if scenario == "expired":
        # Issued 37 months ago with a 36-month validity: expired last month.
        issued = add_months(today, -37)
        return certificate_grant(
            worker=worker,
            cert_type=cert_type,
            acting_user=admin,
            issued_on=issued,
            reason="原市家政服务管理系统纸质证书转入（演示）",
        )
    certificate = certificate_grant(
        worker=worker,
        cert_type=cert_type,
        acting_user=admin,
        issued_on=today - datetime.timedelta(days=120),
        reason="演示数据",
    )
    # Rendered while current, as it would have been before it was revoked or reissued.
    certificate_render(certificate_id=certificate.pk)
    if scenario == "revoked":
        certificate_revoke(
            certificate=certificate,
            acting_user=admin,
            reason="服务中存在严重违规行为，经区商务部门核实后撤销（演示）。",
        )
    elif scenario == "superseded":
        certificate_reissue(
            certificate=certificate, acting_user=admin, reason="证书卡片遗失，本人申请补发（演示）"
        )
    return certificate
