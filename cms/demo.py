"""Demo content of the public portal: home, news and policies, FAQ, guide prices, contact, lookups.

Runs after the registry, courses, exams and certificates demos. Idempotent:
pages are found by slug under their parent and left alone when they exist
(an editor may have changed them since).
"""

import datetime
import io

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile

from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from .models import GuidePricePage, HomePage, NewsIndexPage, NewsPage, SiteSettings, StandardPage
from .services import home_page_ensure, page_publish

D = datetime.date


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _paragraph(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": {"text": _p(*paragraphs)}}


def _link(page: Page | None = None, url: str = "", label: str = "") -> dict:
    return {"label": label, "page": page.pk if page else None, "url": "" if page else url}


def _child(parent: Page, model, slug: str, *, user=None, **fields):
    """The live child of `parent` with `slug`, created and published when missing."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return page_publish(page=page, user=user)


def _lookup_page(
    app_label: str, model_name: str, home: HomePage, slug: str, title: str, intro: str
):
    """An instance of another app's lookup page type, under home and in the menu, if that type exists."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    page = model.objects.first()
    if page is None:
        fields = {"title": title, "show_in_menus": True}
        if any(f.name == "intro" for f in model._meta.get_fields()):
            fields["intro"] = intro
        page = _child(home, model, slug, **fields)
    elif not page.show_in_menus:
        page.show_in_menus = True
        page_publish(page=page)
    return page


def _attachment_pdf(title: str, lines: list[str]) -> ContentFile:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(60, 780, title)
    pdf.setFont("STSong-Light", 11)
    y = 750
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return ContentFile(buffer.getvalue())


def _document(title: str, filename: str, lines: list[str]):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(filename, _attachment_pdf(title, lines), save=False)
        document.save()
    return document


# (slug, category, date, title, summary, body paragraphs, extra fields)
NEWS = [
    (
        "platform-plan-2020",
        NewsPage.Category.POLICY,
        D(2023, 9, 12),
        "市商务委印发《上海家政综合服务管理平台建设实施方案》",
        "全市统一的家政服务管理平台怎么建：围绕家政服务员和家政企业两条主线，"
        "先做行业备案和公共查询，再逐步完善信用监管、培训考核和统计预警。",
        [
            "上海市商务委员会制定了《上海家政综合服务管理平台建设实施方案》，印发各区商务主管部门和相关单位执行。"
            "方案成文于 2020 年 2 月 24 日，2023 年 9 月 12 日在网上公开。",
            "方案的依据是商务部、国家发展改革委《关于建立家政服务业信用体系的指导意见》（商服贸函〔2019〕269号）"
            "和《上海市家政服务条例》，并落实市商务委《关于增报“上海家政综合服务管理平台”项目的函》"
            "（沪商服务〔2019〕242号）和市经济信息化委的审核意见（沪经信推〔2019〕1148号）。",
            "平台定位于公益、由政府主导、市场参与，具备信用管理、公共服务和行业管理三大功能，"
            "服务家政企业、家政服务员、用户、行业协会和政府部门五类主体，并与“一网通办”、"
            "市公共信用信息服务平台和商务部家政平台互联互通。",
            "第一期重点有四项：一是采集信息，为家政企业和家政服务员建立完整的信用档案；"
            "二是建设面向市民的公共查询，与“随申办”等对接；三是升级家政服务信息追溯系统，"
            "开通上门服务证网上培训和考核，建设监测预警和统计分析；四是依托市大数据中心搭建基础环境，"
            "对数据做脱敏处理后再共享。",
            "方案按前期准备（1—2 月）、工作推进（3—4 月）、平台优化（5—9 月）、总结验收（10—11 月）四个阶段推进，"
            "并要求加强组织保障、市区协同、严格监督，开展宣传进社区、进家庭活动。",
        ],
        {
            "issuing_body": "上海市商务委员会",
            "written_date": D(2020, 2, 24),
            "source": "上海市商务委员会",
            "tags": ["信用体系", "上门服务证", "信息追溯", "平台建设"],
        },
    ),
    (
        "online-exam-rules-trial",
        NewsPage.Category.POLICY,
        D(2024, 3, 1),
        "上门服务证线上培训考核规则（试行）",
        "试行期间的线上培训和考试规则：学完必修课时才能报名考试，考试限时作答，80 分及格。",
        [
            "为配合上门服务证网上培训和考核功能上线，平台运营中心制定本规则，试行一年。",
            "家政服务员须学完课程的全部必修课时后方可参加考试；考试限时 60 分钟，满分 100 分，80 分及格；"
            "未通过的可在 7 天后再次参加。",
        ],
        {
            "issuing_body": "上海家政综合服务管理平台运营中心",
            "document_number": "家政平台〔2024〕1号",
            "effective_date": D(2024, 3, 15),
            "source": "平台运营中心",
            "tags": ["上门服务证", "考试"],
        },
    ),
    (
        "online-exam-rules",
        NewsPage.Category.POLICY,
        D(2025, 2, 20),
        "上门服务证线上培训考核规则",
        "试行规则期满后修订的正式规则：补考间隔缩短为 3 天，证书有效期三年，到期前可在线复训。",
        [
            "试行一年来，全市家政服务员通过手机完成了大量线上学习和考试。平台运营中心根据各区和家政企业的意见，"
            "对试行规则作了修订，自 2025 年 3 月 1 日起施行，《上门服务证线上培训考核规则（试行）》同时废止。",
            "主要变化：未通过考试的，补考间隔由 7 天缩短为 3 天；考试时间以服务器时间为准，到时自动交卷；"
            "上门服务证有效期三年，到期前 60 天可在线复训、复考。",
        ],
        {
            "issuing_body": "上海家政综合服务管理平台运营中心",
            "document_number": "家政平台〔2025〕2号",
            "effective_date": D(2025, 3, 1),
            "source": "平台运营中心",
            "tags": ["上门服务证", "考试", "复训"],
        },
    ),
    (
        "registration-2015-review",
        NewsPage.Category.INDUSTRY,
        D(2015, 12, 4),
        "2015 年家政员登记注册实事项目超额完成",
        "全市累计登记家政员 290382 人，注册成功 159381 人，发放家政卡 106032 张，"
        "登记注册站 18 个、登记点 656 个。",
        [
            "2015 年，市妇联会同市人社局、市人口办，在市政府办公厅领导下推进“完善家政服务信息平台功能，"
            "建立家政员登记注册制度，完成 12 万名家政员登记注册”的市政府实事项目。",
            "截至 12 月 4 日，信息平台服务市区两级协会组织 18 家、家政企业 372 家、家政门店 656 家，"
            "历年累计登记家政员 290382 人。家政卡申请 172565 人，其中注册成功 159381 人、待审核 11801 人、"
            "未通过 1383 人，已领卡 106032 张，超额完成 12 万人的目标。",
            "全市建成 18 个登记注册站和 656 个登记点（其中 480 个正常受理），完成 166 家示范性家政服务站复查。"
            "家政卡集身份证明、银行卡和服务记录于一体，做到一人一卡一号。",
            "这套登记注册制度和“准员工制”管理，为后来的家政综合服务管理平台打下了数据和制度基础。",
        ],
        {"source": "上海市妇女联合会", "tags": ["家政卡", "登记注册", "一人一卡一号"]},
    ),
    (
        "batch-card-collection",
        NewsPage.Category.ANNOUNCEMENT,
        D(2015, 7, 1),
        "家政卡可由家政企业集体领取",
        "家政员个人领卡不便，自 7 月起家政企业可为本企业家政员集体领卡。",
        [
            "不少家政企业反映，家政员个人到登记注册站领卡耗时费力。经实事项目工作小组研究，"
            "自 7 月起家政卡改为可由家政企业集体领取。",
            "家政企业凭单位介绍信和领卡名单，到所属登记注册站统一领取，并在三个工作日内发到家政员本人手中。",
        ],
        {"source": "家政实事项目工作小组", "tags": ["家政卡", "集体领卡"]},
    ),
    (
        "home-service-expo-2015",
        NewsPage.Category.EVENT,
        D(2015, 10, 12),
        "第二届家庭服务博览会举办",
        "10 月 10 日至 11 日，第二届家庭服务博览会展示了家政行业规范化、职业化、信息化建设成果。",
        [
            "10 月 10 日至 11 日，第二届家庭服务博览会举办，集中展示家政服务行业规范化、职业化、信息化建设。",
            "博览会期间还举办了“新业态、新挑战、新机遇”家庭服务业发展研讨会，围绕“家政服务 e 时代”"
            "交流行业发展；现场通过扫码关注活动推广了沪家政网和上海家政微信公众号。",
        ],
        {"source": "家政实事项目工作小组", "tags": ["博览会"]},
    ),
    (
        "demonstration-stations-review",
        NewsPage.Category.INDUSTRY,
        D(2015, 11, 20),
        "166 家示范性家政服务站完成复查",
        "示范站自查、区县复查、市级抽查相结合，中心城区基本实现一街一示范。",
        [
            "市、区两级家政管理机构采取示范站自查、区县复查与市级抽查相结合，网络后台与实地查看相结合的方法，"
            "完成了 166 家上海市示范性家政服务站的复查。",
            "复查以示范站“6 个 100%”规范管理为基础，推动家政企业落实家政从业人员“准员工制”管理。",
        ],
        {"source": "家政实事项目工作小组", "tags": ["示范站", "准员工制"]},
    ),
    (
        "platform-trial-run",
        NewsPage.Category.INDUSTRY,
        D(2024, 5, 20),
        "家政综合服务管理平台上线试运行",
        "平台完成主体模块搭建和联调，家政企业可在线为家政服务员备案，市民可查询信用信息。",
        [
            "按照建设实施方案的安排，上海家政综合服务管理平台完成主体模块搭建和联调联试，开始试运行。",
            "试运行期间，家政企业可在线为家政服务员办理备案，登记注册站在线审核；市民可查询家政企业信用和家政服务员从业经历，"
            "查询结果中的姓名、身份证号和手机号均已脱敏。",
        ],
        {"source": "平台运营中心", "tags": ["行业备案", "信用查询"]},
    ),
    (
        "online-training-open",
        NewsPage.Category.ANNOUNCEMENT,
        D(2025, 6, 1),
        "上门服务证线上培训和考试全面开通",
        "家政服务员用手机登录即可学习课程、参加考试，通过后领取带二维码的电子上门服务证。",
        [
            "即日起，上门服务证线上培训和考试向全市已备案的家政服务员全面开通。",
            "家政服务员用备案时登记的手机号登录平台，在“我的学习”中学习课程，学完必修课时后参加限时考试；"
            "考试通过后系统自动发放电子上门服务证，证书上的二维码可供家庭扫码查验。",
            "家政企业可在企业工作台查看本企业家政服务员的学习和考试进度。遇到问题请拨打服务热线。",
        ],
        {"source": "平台运营中心", "tags": ["上门服务证", "培训", "考试"]},
    ),
    (
        "community-week-2025",
        NewsPage.Category.EVENT,
        D(2025, 4, 10),
        "家政服务进社区宣传周",
        "在各区社区服务中心现场演示扫码查验上门服务证、查询家政企业信用。",
        [
            "4 月 14 日至 20 日，各区商务部门和行业协会在社区服务中心开展家政服务进社区宣传周活动。",
            "现场工作人员演示如何扫码查验上门服务证、如何查询家政企业信用和家政服务员从业经历，"
            "并为居民解答雇用家政服务员时的常见问题。",
        ],
        {"source": "平台运营中心", "tags": ["宣传", "社区"]},
    ),
    (
        "skills-contest-2025",
        NewsPage.Category.EVENT,
        D(2025, 8, 20),
        "母婴护理技能竞赛开始报名",
        "持有效上门服务证的家政服务员可通过所在家政企业报名，9 月底举行决赛。",
        [
            "为提升母婴护理服务水平，行业协会举办母婴护理技能竞赛。持有效上门服务证的家政服务员"
            "可通过所在家政企业报名，报名截止 9 月 10 日。",
            "竞赛分理论和实操两部分，理论部分在平台上线上作答，实操决赛 9 月底举行。",
        ],
        {"source": "行业协会", "tags": ["母婴护理", "技能竞赛"]},
    ),
    (
        "maintenance-2025-09",
        NewsPage.Category.ANNOUNCEMENT,
        D(2025, 9, 15),
        "平台系统维护通知",
        "9 月 20 日（周六）22:00 至 24:00 系统维护，期间暂停登录和考试，证书查验不受影响。",
        [
            "为提升系统稳定性，平台定于 9 月 20 日（周六）22:00 至 24:00 进行系统维护。",
            "维护期间暂停登录、学习和考试；扫码查验上门服务证和公共查询不受影响。请合理安排时间，给您带来不便敬请谅解。",
        ],
        {"source": "平台运营中心", "tags": ["系统维护"]},
    ),
    (
        "health-insurance-update",
        NewsPage.Category.ANNOUNCEMENT,
        D(2026, 1, 8),
        "关于及时更新健康体检和保险信息的通知",
        "体检或保险过期的家政服务员，扫码查验时会显示黄色提示，请家政企业及时更新。",
        [
            "家庭扫码查验上门服务证时，会同时看到家政服务员的健康体检和保险情况。体检或保险已过期的，显示黄色提示。",
            "请各家政企业在工作台中查看即将到期的名单，及时为家政服务员更新体检和保险信息。",
        ],
        {"source": "平台运营中心", "tags": ["健康体检", "保险"]},
    ),
    (
        "suishenban-integration",
        NewsPage.Category.INDUSTRY,
        D(2025, 11, 5),
        "电子上门服务证接入“随申办”",
        "市民在“随申办”中扫码，即可查看家政服务员的证书、培训和所属企业。",
        [
            "平台与“随申办”完成对接。市民在“随申办”中扫描家政服务员出示的二维码，"
            "即可看到证书是否有效、服务类别、培训情况和所属家政企业。",
            "扫码页面只显示脱敏后的姓名，不显示身份证号和手机号。",
        ],
        {"source": "平台运营中心", "tags": ["随申办", "扫码查验"]},
    ),
]

FAQ = [
    (
        "什么是上门服务证？",
        "上门服务证是家政服务员通过平台培训和考试后领取的电子证书，带有二维码。"
        "家庭扫码就能确认证书真伪、是否在有效期内，以及持证人的培训和所属企业。",
    ),
    (
        "怎样参加培训和考试？",
        "先由所在家政企业为您办理备案。备案通过后用手机号登录平台，在“我的学习”里学完必修课时，"
        "再参加限时考试。考试通过后证书自动发放。",
    ),
    (
        "考试没通过怎么办？",
        "可以在 3 天后再次参加考试。建议先回到课程复习做错的部分。",
    ),
    (
        "家庭怎样查验家政服务员的证书？",
        "用手机相机或“随申办”扫描证书上的二维码，页面会用绿色、黄色、红色显示证书状态；"
        "也可以在“证书查验”页面输入证书编号查询。",
    ),
    (
        "查询结果为什么看不到完整姓名和身份证号？",
        "为保护个人信息，公开查询只显示脱敏后的信息，例如姓名只显示首尾字，身份证号和手机号不公开。",
    ),
    (
        "家政卡和上门服务证是什么关系？",
        "家政卡是家政服务员登记注册的凭证，一人一卡一号；上门服务证证明持证人通过了上门服务培训考核。两者相互关联。",
    ),
]

GUIDE_PRICES = {
    "columns": [
        {"type": "text", "heading": "服务项目"},
        {"type": "text", "heading": "服务方式"},
        {"type": "number", "heading": "参考价下限（元）"},
        {"type": "number", "heading": "参考价上限（元）"},
        {"type": "text", "heading": "计价单位"},
    ],
    "rows": [
        {"values": ["日常保洁（钟点工）", "上门，按小时", "40", "60", "小时"]},
        {"values": ["深度保洁", "上门，按面积", "8", "15", "平方米"]},
        {"values": ["住家保姆", "住家", "6000", "8500", "月"]},
        {"values": ["育婴员", "住家", "7500", "11000", "月"]},
        {"values": ["母婴护理（月嫂）", "住家，26 天", "12000", "22000", "26 天"]},
        {"values": ["养老护理", "住家", "6500", "9500", "月"]},
        {"values": ["病患陪护", "医院或居家", "250", "350", "天"]},
    ],
    "caption": "2026 年家政服务指导价（参考）",
}


def _news_index(home: HomePage, user) -> NewsIndexPage:
    return _child(
        home,
        NewsIndexPage,
        "news",
        user=user,
        title="新闻政策",
        show_in_menus=True,
        intro="<p>家政服务相关的政策法规、通知公告、行业动态和活动。</p>",
        search_description="上海家政服务政策法规、通知公告、行业动态和活动信息。",
    )


def _seed_news(index: NewsIndexPage, user) -> dict[str, NewsPage]:
    attachment = _document(
        "《上海家政综合服务管理平台建设实施方案》要点",
        "platform-plan-summary.pdf",
        [
            "发文机关：上海市商务委员会    成文日期：2020年2月24日    公开日期：2023年9月12日",
            "依据：商服贸函〔2019〕269号、沪商服务〔2019〕242号、沪经信推〔2019〕1148号",
            "三大功能：信用管理、公共服务、行业管理",
            "两条主线：家政服务员、家政企业",
            "五大主体：从业机构、从业人员、用户、行业协会、政府部门",
            "一期重点：信息采集、公共查询、追溯系统升级与上门服务证网上培训考核、基础环境",
            "（本文件为编辑整理的要点，以发文机关公布的原文为准）",
        ],
    )
    pages: dict[str, NewsPage] = {}
    for slug, category, date, title, summary, paragraphs, extra in NEWS:
        extra = dict(extra)
        tags = extra.pop("tags", [])
        existing = index.get_children().filter(slug=slug).first()
        if existing is not None:
            pages[slug] = existing.specific
            continue
        page = NewsPage(
            slug=slug,
            title=title,
            category=category,
            date=date,
            summary=summary,
            search_description=summary[:160],
            body=[_paragraph(*paragraphs)],
            **extra,
        )
        index.add_child(instance=page)
        page.tags.add(*tags)
        if slug == "platform-plan-2020":
            page.attachments.create(document=attachment, title="实施方案要点（编辑整理）")
        pages[slug] = page_publish(page=page, user=user)

    # The trial rules were replaced by the final ones: the link shows on both pages.
    trial, final = pages["online-exam-rules-trial"], pages["online-exam-rules"]
    if trial.superseded_by_id != final.pk:
        trial.superseded_by = final
        pages["online-exam-rules-trial"] = page_publish(page=trial, user=user)
    plan = pages["platform-plan-2020"]
    if not plan.related_links.exists():
        plan.related_links.create(related_page=pages["platform-trial-run"])
        plan.related_links.create(related_page=pages["registration-2015-review"])
        pages["platform-plan-2020"] = page_publish(page=plan, user=user)
    return pages


def _draft_in_moderation(index: NewsIndexPage, editor) -> None:
    """An editor's draft waiting for a moderator, to show the workflow in the admin."""
    if editor is None or index.get_children().filter(slug="spring-festival-service").exists():
        return
    page = NewsPage(
        slug="spring-festival-service",
        title="春节期间家政服务预约提示（待审核）",
        category=NewsPage.Category.ANNOUNCEMENT,
        summary="春节前后家政服务需求集中，请家庭提前预约，并查验上门服务证。",
        body=[
            _paragraph(
                "春节前后家政服务需求集中。请家庭提前与家政企业预约，上门时扫码查验上门服务证。"
            )
        ],
        live=False,
        owner=editor,
    )
    index.add_child(instance=page)
    page.save_revision(user=editor, log_action=True)
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, editor)


def _course_pages() -> tuple[Page | None, list[Page]]:
    index = (
        Page.objects.live()
        .filter(content_type__app_label="courses", content_type__model="courseindexpage")
        .first()
    )
    courses = list(
        Page.objects.live()
        .filter(content_type__app_label="courses", content_type__model="coursepage")
        .order_by("path")[:3]
    )
    return index, courses


def _home_body(*, news, courses_index, courses, worker_lookup, credit_lookup, cert_lookup, prices):
    entries = [
        {
            "label": "学习",
            "description": "上门服务证课程",
            "icon": "learn",
            "page": courses_index.pk if courses_index else None,
            "url": "" if courses_index else "/me/",
        },
        {
            "label": "考试",
            "description": "学完必修课后参加",
            "icon": "exam",
            "page": None,
            "url": "/me/exams/",
        },
    ]
    for page, label, description, icon in (
        (cert_lookup, "证书查验", "输入证书编号或扫码", "verify"),
        (credit_lookup, "信用查询", "查家政企业信用", "credit"),
        (worker_lookup, "家政员查询", "查从业经历", "worker"),
    ):
        if page is not None:
            entries.append(
                {
                    "label": label,
                    "description": description,
                    "icon": icon,
                    "page": page.pk,
                    "url": "",
                }
            )
    entries.append(
        {
            "label": "服务指导价",
            "description": "参考价格",
            "icon": "price",
            "page": prices.pk,
            "url": "",
        }
    )
    body = [
        {
            "type": "hero",
            "value": {
                "title": "学技能，考证书，安心上门",
                "text": "家政服务员在手机上学习课程、参加考试、领取上门服务证；家庭扫码即可查验证书和信用。",
                "image": None,
                "primary": _link(courses_index, "/me/", "开始学习"),
                "secondary": _link(cert_lookup, "/search/?q=上门服务证", "查验证书"),
            },
        },
        {"type": "quick_entries", "value": {"heading": "办事入口", "entries": entries}},
        {
            "type": "latest_news",
            "value": {
                "heading": "政策与公告",
                "index": news.pk,
                "categories": ["policy", "announcement"],
                "count": 5,
            },
        },
    ]
    if courses:
        body.append(
            {
                "type": "featured_courses",
                "value": {
                    "heading": "推荐课程",
                    "courses": [c.pk for c in courses],
                    "more": _link(courses_index, "/me/", "全部课程"),
                },
            }
        )
    body += [
        {
            "type": "latest_news",
            "value": {
                "heading": "行业动态与活动",
                "index": news.pk,
                "categories": ["industry", "event"],
                "count": 4,
            },
        },
        {
            "type": "hotline",
            "value": {
                "heading": "服务热线",
                "phone": "",
                "hours": "",
                "text": "备案、学习、考试和证书查验的问题都可以打电话咨询。",
            },
        },
        {
            "type": "search_box",
            "value": {"heading": "找政策、找课程", "placeholder": "例如：上门服务证"},
        },
    ]
    return body


def seed(ctx) -> None:
    editor, moderator = ctx.users.get("editor"), ctx.users.get("moderator")
    home = home_page_ensure()
    ctx.data["home_page"] = home
    site = Site.objects.get(is_default_site=True)

    site_settings, _created = SiteSettings.objects.get_or_create(site=site)
    if not site_settings.hotline:
        site_settings.hotline = "021-6000 1234"
        site_settings.hotline_hours = "工作日 9:00—17:00"
        site_settings.address = "上海市黄浦区示例路 100 号（演示地址）"
        site_settings.email = "service@jiazheng.example.cn"
        site_settings.icp_number = "沪ICP备00000000号-1"
        site_settings.footer_text = "上海市家政服务培训与认证平台（演示站点）"
        site_settings.social_links = [
            {
                "type": "link",
                "value": {"platform": "wechat", "label": "微信公众号：上海家政", "url": ""},
            },
            {"type": "link", "value": {"platform": "app", "label": "随申办", "url": ""}},
        ]
        site_settings.save()

    news = _news_index(home, moderator)
    items = _seed_news(news, moderator)
    _draft_in_moderation(news, editor)
    ctx.say(f"  资讯 {len(items)} 条，另有 1 条编辑稿在审核中")

    courses_index, courses = _course_pages()
    if courses_index is not None and not courses_index.show_in_menus:
        courses_index = courses_index.specific
        courses_index.show_in_menus = True
        page_publish(page=courses_index, user=moderator)

    cert_lookup = _lookup_page(
        "certificates",
        "CertificateLookupPage",
        home,
        "verify",
        "证书查验",
        "<p>输入上门服务证编号，或用手机扫描证书上的二维码，查看证书是否有效。</p>",
    )
    worker_lookup = _lookup_page(
        "registry",
        "WorkerTraceLookupPage",
        home,
        "worker-lookup",
        "家政员查询",
        "<p>输入家政卡号，查看家政服务员的备案和从业经历。结果已脱敏。</p>",
    )
    credit_lookup = _lookup_page(
        "registry",
        "AgencyCreditLookupPage",
        home,
        "agency-credit",
        "信用查询",
        "<p>输入家政企业名称或统一社会信用代码，查看企业的备案和信用记录。</p>",
    )

    prices = _child(
        home,
        GuidePricePage,
        "guide-prices",
        user=moderator,
        title="服务指导价",
        show_in_menus=True,
        intro="常见家政服务的参考价格，供家庭和家政企业协商时参考。实际价格由双方按服务内容约定。",
        issued_by="上海家政综合服务管理平台运营中心（演示数据）",
        valid_from=D(2026, 1, 1),
        search_description="上海家政服务指导价：钟点工、住家保姆、育婴员、月嫂、养老护理参考价格。",
        body=[
            {
                "type": "table",
                "value": {
                    "caption": GUIDE_PRICES["caption"],
                    "table": GUIDE_PRICES,
                    "note": "以上为演示数据，仅供参考；节假日、特殊护理需求可另行协商。",
                },
            },
            _paragraph(
                "价格包含家政服务员的服务报酬和家政企业的管理服务费，不含雇主另行提供的食宿。"
            ),
        ],
    )
    _child(
        home,
        StandardPage,
        "faq",
        user=moderator,
        title="常见问题",
        show_in_menus=True,
        intro="关于上门服务证、培训考试、证书查验和信息保护的常见问题。",
        search_description="上门服务证、家政培训考试、证书查验常见问题解答。",
        body=[
            {
                "type": "accordion",
                "value": {
                    "heading": "",
                    "items": [{"question": q, "answer": _p(a)} for q, a in FAQ],
                },
            }
        ],
    )
    _child(
        home,
        StandardPage,
        "contact",
        user=moderator,
        title="联系我们",
        show_in_menus=True,
        intro="有问题请先看常见问题；仍未解决的，欢迎来电或来信。",
        body=[
            {
                "type": "contact",
                "value": {
                    "name": "上海家政综合服务管理平台运营中心",
                    "address": "上海市黄浦区示例路 100 号（演示地址）",
                    "phone": "021-6000 1234",
                    "email": "service@jiazheng.example.cn",
                    "hours": "工作日 9:00—17:00",
                    "note": "查询个人备案信息请本人登录平台，电话中不提供身份证号等个人信息。",
                },
            }
        ],
    )
    _child(
        home,
        StandardPage,
        "about",
        user=moderator,
        title="关于平台",
        show_in_menus=False,
        intro="上海家政综合服务管理平台：信用管理、公共服务、行业管理。",
        body=[
            _paragraph(
                "本平台是全市统一的家政服务管理平台，围绕家政服务员和家政企业两条主线，提供行业备案、"
                "信用查询、信息追溯，以及上门服务证的网上培训和考核。",
                "平台的前身是 2015 年建成的家政服务信息平台：当年全市累计登记家政员 29 万余人，"
                "发放家政卡 10 万余张，实行一人一卡一号。",
                "平台上公开展示的个人信息均已脱敏。",
            )
        ],
    )

    if not any(block.block_type == "quick_entries" for block in home.body):
        home.body = _home_body(
            news=news,
            courses_index=courses_index,
            courses=courses,
            worker_lookup=worker_lookup,
            credit_lookup=credit_lookup,
            cert_lookup=cert_lookup,
            prices=prices,
        )
        home.search_description = "上海市家政服务员在线培训、考试和上门服务证查验平台。"
        page_publish(page=home, user=moderator)

    missing = [
        name
        for name, page in (
            ("certificates.CertificateLookupPage", cert_lookup),
            ("registry.WorkerTraceLookupPage", worker_lookup),
            ("registry.AgencyCreditLookupPage", credit_lookup),
        )
        if page is None
    ]
    if missing:
        ctx.say(f"  未找到查询页类型：{', '.join(missing)}")
    ctx.urls.append(("门户首页 / portal", f"{settings.SITE_URL}{home.url}"))
    ctx.urls.append(("资讯 / news", f"{settings.SITE_URL}{news.url}"))
