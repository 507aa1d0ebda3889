"""Demo data of the registry: agencies, branches, ~50 workers in every filing state.

Runs after lms (uses ``ctx.users``) and is idempotent: agencies are found by
credit code, workers by the keyed hash of their ID number; a row that exists
is left as it is. Hands off ``ctx.data["demo_agency"]``, ``["agencies"]``,
``["workers"]`` (every demo worker, also indexable by filing state:
``workers["approved"]``) and ``["demo_worker"]``.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone

from PIL import Image, ImageDraw

from lms.crypto import lookup_hash
from registry.selectors.filings import worker_is_registered
from registry.services.agencies import agency_create
from registry.services.cards import card_issue
from registry.services.credit import credit_record_create
from registry.services.employment import employment_start
from registry.services.filings import (
    filing_approve,
    filing_reject,
    filing_return,
    filing_start_review,
    filing_withdraw,
)
from registry.services.insurance import insurance_add
from registry.services.signin import worker_link_login
from registry.services.staff import agency_staff_assign, regulator_profile_set
from registry.services.visits import rating_moderate, rating_submit, visit_confirm
from registry.services.workers import worker_create

from .models import (
    Agency,
    Branch,
    CreditRecord,
    Employment,
    Filing,
    FilingStatus,
    Insurance,
    ServiceCategory,
    ServiceVisit,
    VisitRating,
    Worker,
)
from .synthetic import credit_code_for_index, resident_id_for_index

CATEGORIES = [
    ("housework", "家务服务"),
    ("maternity", "母婴护理"),
    ("childcare", "育婴服务"),
    ("eldercare", "养老护理"),
    ("hospital-care", "医疗陪护"),
    ("cleaning", "保洁服务"),
]

# (key, name, district, region code, filing status, demonstration year, contact)
AGENCIES = [
    (
        "main",
        "上海徐汇安心家政服务有限公司",
        "xuhui",
        "310104",
        FilingStatus.APPROVED,
        2016,
        "吴经理",
    ),
    (
        "pudong",
        "上海浦东阿姨之家家政服务有限公司",
        "pudong",
        "310115",
        FilingStatus.APPROVED,
        2017,
        "钱经理",
    ),
    (
        "jingan",
        "上海静安福嫂家政服务有限公司",
        "jingan",
        "310106",
        FilingStatus.APPROVED,
        None,
        "孙经理",
    ),
    (
        "minhang",
        "上海闵行康乐家庭服务有限公司",
        "minhang",
        "310112",
        FilingStatus.APPROVED,
        None,
        "李经理",
    ),
    (
        "yangpu",
        "上海杨浦巧手保洁服务有限公司",
        "yangpu",
        "310110",
        FilingStatus.UNDER_REVIEW,
        None,
        "周经理",
    ),
    (
        "putuo",
        "上海普陀贴心养老护理服务有限公司",
        "putuo",
        "310107",
        FilingStatus.SUBMITTED,
        None,
        "郑经理",
    ),
    (
        "changning",
        "上海长宁宝贝育婴服务有限公司",
        "changning",
        "310105",
        FilingStatus.RETURNED,
        None,
        "王经理",
    ),
]
BRANCHES = {
    "main": [
        ("漕河泾门店", "xuhui", "上海市徐汇区漕宝路 80 号"),
        ("龙华门店", "xuhui", "上海市徐汇区龙华中路 600 号"),
    ],
    "pudong": [("张江门店", "pudong", "上海市浦东新区碧波路 500 号")],
    "jingan": [("彭浦门店", "jingan", "上海市静安区共和新路 3000 号")],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "秀英",
    "桂兰",
    "玉梅",
    "美华",
    "小红",
    "春燕",
    "丽娟",
    "海燕",
    "红梅",
    "雪梅",
    "建华",
    "国强",
    "晓静",
    "凤英",
    "翠花",
    "慧敏",
    "金凤",
    "丽萍",
]

# How many demo workers in each state; approved ones split into with / without a card.
PLAN = [
    (FilingStatus.APPROVED, True, 20),
    (FilingStatus.APPROVED, False, 5),
    (FilingStatus.SUBMITTED, False, 6),
    (FilingStatus.UNDER_REVIEW, False, 5),
    (FilingStatus.RETURNED, False, 5),
    (FilingStatus.REJECTED, False, 4),
    (FilingStatus.WITHDRAWN, True, 5),
]
ID_OFFSET = 1_000  # demo workers use synthetic indexes from here (seed_scale starts far above)
DEMO_WORKER_INDEX = 999


class DemoWorkers(list):
    """Every demo worker (registered ones first); ``workers["approved"]`` gives one state's list."""

    def __init__(self, by_state: dict[str, list]):
        self.by_state = by_state
        ordered = [
            FilingStatus.APPROVED,
            FilingStatus.WITHDRAWN,
            FilingStatus.SUBMITTED,
            FilingStatus.UNDER_REVIEW,
            FilingStatus.RETURNED,
            FilingStatus.REJECTED,
        ]
        super().__init__(w for state in ordered for w in by_state.get(state, []))

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.by_state[key]
        return super().__getitem__(key)

    def keys(self):
        return self.by_state.keys()

    def items(self):
        return self.by_state.items()

    def get(self, key, default=None):
        return self.by_state.get(key, default)


def _avatar(seed: int) -> bytes:
    """A plain drawn portrait placeholder (no real person's photo in the demo)."""
    colors = [(214, 229, 245), (245, 226, 214), (222, 240, 222), (240, 230, 245)]
    image = Image.new("RGB", (300, 400), colors[seed % len(colors)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 60, 205, 180), fill=(120, 130, 145))
    draw.rounded_rectangle((60, 200, 240, 400), radius=60, fill=(120, 130, 145))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _agencies(ctx) -> dict[str, Agency]:
    reviewer = ctx.users.get("reviewer")
    result = {}
    for index, (key, name, district, region, status, demo_year, contact) in enumerate(AGENCIES):
        code = credit_code_for_index(20_000 + index, region_code=region)
        agency = Agency.objects.filter(credit_code=code).first()
        if agency is None:
            agency = agency_create(
                name=name,
                credit_code=code,
                district=district,
                address=f"上海市{dict(_DISTRICT_NAMES)[district]}示范路 {100 + index} 号",
                contact_name=contact,
                contact_phone=f"021-6{index:03d}8000",
                contact_email=f"contact{index}@jiazheng-demo.cn",
                is_demonstration_station=bool(demo_year),
                demonstration_year=demo_year,
                acting_user=ctx.users.get("admin"),
            )
            filing = Filing.objects.get(agency=agency)
            if status != FilingStatus.SUBMITTED:
                filing_start_review(filing=filing, acting_user=reviewer)
            if status == FilingStatus.APPROVED:
                filing_approve(filing=filing, acting_user=reviewer)
            elif status == FilingStatus.RETURNED:
                filing_return(
                    filing=filing, acting_user=reviewer, reason="营业执照复印件不清晰，请重新上传。"
                )
        for branch_name, branch_district, address in BRANCHES.get(key, []):
            Branch.objects.get_or_create(
                agency=agency,
                name=branch_name,
                defaults={"district": branch_district, "address": address, "phone": "021-64001234"},
            )
        result[key] = agency
    return result


_DISTRICT_NAMES = [
    ("xuhui", "徐汇区"),
    ("pudong", "浦东新区"),
    ("jingan", "静安区"),
    ("minhang", "闵行区"),
    ("yangpu", "杨浦区"),
    ("putuo", "普陀区"),
    ("changning", "长宁区"),
]


def _drive(worker: Worker, status: str, reviewer, *, card: bool) -> None:
    filing = Filing.objects.get(worker=worker)
    if status == FilingStatus.SUBMITTED:
        return
    filing_start_review(filing=filing, acting_user=reviewer)
    if status == FilingStatus.UNDER_REVIEW:
        return
    if status == FilingStatus.RETURNED:
        filing_return(
            filing=filing, acting_user=reviewer, reason="照片不清晰，请重新拍摄正面免冠照。"
        )
        return
    if status == FilingStatus.REJECTED:
        filing_reject(filing=filing, acting_user=reviewer, reason="身份证信息与本人不符。")
        return
    filing_approve(filing=filing, acting_user=reviewer)
    if card:
        card_issue(worker=worker, acting_user=reviewer)
    if status == FilingStatus.WITHDRAWN:
        filing_withdraw(filing=filing, acting_user=reviewer, reason="本人离沪，申请注销。")


def _history(worker: Worker, agencies: list[Agency], categories: list, n: int, today) -> None:
    """A past employment elsewhere and the current one (registered workers only)."""
    if Employment.objects.filter(worker=worker).exists():
        return
    other = agencies[(n + 1) % len(agencies)]
    if other.pk == worker.agency_id:
        other = agencies[(n + 2) % len(agencies)]
    start = today - datetime.timedelta(days=1500 + 30 * n)
    Employment.objects.create(
        worker=worker,
        agency=other,
        service_category=categories[n % len(categories)],
        start_date=start,
        end_date=start + datetime.timedelta(days=700),
    )
    employment_start(
        worker=worker,
        agency=worker.agency,
        branch=worker.branch,
        service_category=categories[(n + 1) % len(categories)],
        start_date=today - datetime.timedelta(days=400 - 5 * n),
        move_worker=False,
    )


def seed(ctx) -> None:
    """Seed the registry's demo data (idempotent): categories, agencies, workers in every state."""
    today = timezone.localdate()
    reviewer = ctx.users.get("reviewer")
    regulator = ctx.users.get("city_regulator")
    categories = [
        ServiceCategory.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": i}
        )[0]
        for i, (code, name) in enumerate(CATEGORIES)
    ]
    agencies = _agencies(ctx)
    main = agencies["main"]
    for agency in agencies.values():
        agency.refresh_from_db(fields=["filing_status"])
    filed_agencies = [a for a in agencies.values() if a.filing_status == FilingStatus.APPROVED]
    main_branches = list(main.branches.all())
    ctx.say(f"  {len(agencies)} 家企业")

    # Logins: agency staff at the main agency; regulators' scopes.
    agency_staff_assign(user=ctx.users["agency_staff"], agency=main)
    regulator_profile_set(user=ctx.users["district_regulator"], district=main.district)
    regulator_profile_set(user=ctx.users["city_regulator"], district="")

    # The demo worker's own login (phone 13800000001): registered with a card.
    login = ctx.users["worker"]
    demo_worker = Worker.objects.filter(user=login).first()
    if demo_worker is None:
        number = resident_id_for_index(DEMO_WORKER_INDEX, sex="F")
        demo_worker = Worker.objects.filter(id_number_hash=lookup_hash(number)).first()
        if demo_worker is None:
            demo_worker = worker_create(
                name=login.name or "张小红",
                id_number=number,
                phone=login.phone or "13800000001",
                agency=main,
                branch=main_branches[0] if main_branches else None,
                service_categories=categories[:2],
                health_check_date=today - datetime.timedelta(days=60),
                health_check_expiry=today + datetime.timedelta(days=305),
                photo=_avatar(0),
                acting_user=ctx.users["agency_staff"],
            )
            _drive(demo_worker, FilingStatus.APPROVED, reviewer, card=True)
            _history(demo_worker, filed_agencies, categories, 0, today)
            credit_record_create(
                worker=demo_worker,
                kind=CreditRecord.Kind.COMMENDATION,
                source="徐汇区商务委员会",
                occurred_on=today - datetime.timedelta(days=90),
                description="照护老人细心周到，雇主送来表扬信。",
                acting_user=regulator,
            )
        worker_link_login(worker=demo_worker, login=login)

    # Health checks a year long; every fifth worker's has lapsed.
    checked = {
        i: today - datetime.timedelta(days=400 if i % 5 == 0 else (17 * i) % 300)
        for i in range(1, 100)
    }
    by_state: dict[str, list] = {s: [] for s in FilingStatus.values}
    by_state[FilingStatus.APPROVED].append(demo_worker)
    n = 0
    for status, card, count in PLAN:
        for _i in range(count):
            n += 1
            number = resident_id_for_index(ID_OFFSET + n, sex="F" if n % 5 else "M")
            worker = Worker.objects.filter(id_number_hash=lookup_hash(number)).first()
            if worker is None:
                agency = filed_agencies[n % len(filed_agencies)] if n % 3 else main
                branches = list(agency.branches.all())
                worker = worker_create(
                    name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
                    id_number=number,
                    phone=f"1390021{n:04d}",
                    agency=agency,
                    branch=branches[n % len(branches)] if branches else None,
                    service_categories=[categories[n % len(categories)]],
                    health_check_date=checked[n],
                    health_check_expiry=checked[n] + datetime.timedelta(days=365),
                    photo=_avatar(n) if n % 4 else None,
                    acting_user=ctx.users["agency_staff"] if agency == main else ctx.users["admin"],
                )
                _drive(worker, status, reviewer, card=card)
                if status in (FilingStatus.APPROVED, FilingStatus.WITHDRAWN):
                    _history(worker, filed_agencies, categories, n, today)
                    _credit(worker, n, today, regulator)
            by_state[status].append(worker)

    _agency_credit(agencies, today, regulator)
    demo_agency_count = sum(len(v) for v in by_state.values())
    ctx.say(
        f"  {demo_agency_count} 名服务员（{', '.join(f'{k}: {len(v)}' for k, v in by_state.items())}）"
    )

    seed_trust(ctx, workers=by_state[FilingStatus.APPROVED], demo_worker=demo_worker, today=today)

    ctx.data["demo_agency"] = main
    ctx.data["agencies"] = list(agencies.values())
    ctx.data["workers"] = DemoWorkers(by_state)
    ctx.data["demo_worker"] = demo_worker
    if demo_worker.card_number:
        ctx.urls.append(("家政卡号（演示服务员）", demo_worker.card_number))


# Worker credit records by ``n % 6``: kind, source, description, days ago,
# public, expires in (days; negative = already expired, None = never).
_WORKER_CREDIT_SPECS = {
    1: (
        CreditRecord.Kind.COMMENDATION,
        "上海市家庭服务业行业协会",
        "获评年度“金牌家政服务员”。",
        200,
        True,
        None,
    ),
    2: (
        CreditRecord.Kind.COMPLAINT,
        "12345 市民服务热线",
        "雇主反映多次迟到，已约谈并整改。",
        40,
        True,
        325,
    ),
    3: (
        CreditRecord.Kind.VIOLATION,
        "区商务委员会",
        "未按规定签订服务协议（已过失效期，不再计入）。",
        500,
        True,
        -135,
    ),
    4: (
        CreditRecord.Kind.COMPLAINT,
        "企业内部核查",
        "雇主投诉正在核查中（内部记录，不对外公开）。",
        15,
        False,
        None,
    ),
    5: (
        CreditRecord.Kind.BLACKLIST,
        "上海市商务委员会",
        "伪造健康证明，列入家政服务员黑名单。",
        10,
        True,
        None,
    ),
}


def _credit(worker: Worker, n: int, today, regulator) -> None:
    """Records of every kind spread over the registered workers."""
    kind = n % 6
    # Only two workers are blacklisted.
    if kind not in _WORKER_CREDIT_SPECS or (kind == 5 and n not in (11, 29)):
        return
    if CreditRecord.objects.filter(worker=worker).exists():
        return
    record_kind, source, description, days_ago, public, expires_in = _WORKER_CREDIT_SPECS[kind]
    credit_record_create(
        worker=worker,
        kind=record_kind,
        source=source,
        occurred_on=today - datetime.timedelta(days=days_ago),
        description=description,
        is_public=public,
        expires_on=today + datetime.timedelta(days=expires_in) if expires_in is not None else None,
        acting_user=regulator,
    )


def _agency_credit(agencies: dict[str, Agency], today, regulator) -> None:
    specs = [
        (
            "main",
            CreditRecord.Kind.COMMENDATION,
            "上海市商务委员会",
            "2016 年认定为示范性家政服务站。",
            2000,
            True,
            None,
        ),
        (
            "pudong",
            CreditRecord.Kind.COMPLAINT,
            "12345 市民服务热线",
            "收费项目未在合同中写明，已退还多收费用。",
            60,
            True,
            305,
        ),
        (
            "jingan",
            CreditRecord.Kind.VIOLATION,
            "静安区商务委员会",
            "未为服务员办理意外伤害保险，已限期整改。",
            120,
            True,
            245,
        ),
        (
            "minhang",
            CreditRecord.Kind.BLACKLIST,
            "上海市商务委员会",
            "以家政服务名义非法集资，列入黑名单。",
            30,
            True,
            None,
        ),
        (
            "jingan",
            CreditRecord.Kind.COMPLAINT,
            "企业自查",
            "门店消防检查未通过（内部记录）。",
            20,
            False,
            None,
        ),
    ]
    for key, kind, source, description, days_ago, public, expires_in in specs:
        agency = agencies[key]
        if CreditRecord.objects.filter(agency=agency, kind=kind, source=source).exists():
            continue
        credit_record_create(
            agency=agency,
            kind=kind,
            source=source,
            occurred_on=today - datetime.timedelta(days=days_ago),
            description=description,
            is_public=public,
            expires_on=today + datetime.timedelta(days=expires_in) if expires_in else None,
            acting_user=regulator,
        )


__all__ = ["DemoWorkers", "seed"]


# --- household trust: insurance, visits and moderated ratings ---------------------

INSURERS = [
    "中国平安财产保险上海分公司",
    "中国人民财产保险上海市分公司",
    "太平洋财产保险上海分公司",
]
DEMO_COMMENTS = [
    (5, "准时上门，做事利落，老人很满意。", True),
    (4, "", True),
    (2, "比约定时间晚到一个多小时，也没有提前打招呼。", None),  # left for moderation
]


def _insurance(worker: Worker, n: int, today, staff) -> None:
    """Most registered workers insured for a year; every 7th lapsed, every 6th never insured."""
    if n % 6 == 5 or Insurance.objects.filter(worker=worker).exists():
        return
    start = today - datetime.timedelta(days=(37 * n) % 300 + (400 if n % 7 == 3 else 0))
    insurance_add(
        worker=worker,
        insurer=INSURERS[n % len(INSURERS)],
        policy_number=f"DEMO{worker.pk:06d}{n:04d}",
        start_date=start,
        end_date=start + datetime.timedelta(days=364),
        acting_user=staff,
    )


def _visits(worker: Worker, today, regulator, *, moderate: bool = True) -> None:
    """Three confirmed visits over the last months with ratings (one awaiting moderation)."""
    if ServiceVisit.objects.filter(worker=worker).exists():
        return
    for i, (stars, comment, approve) in enumerate(DEMO_COMMENTS):
        visit, token = visit_confirm(
            worker=worker,
            service_date=today,
            district=worker.agency.district if worker.agency_id else "xuhui",
            service_category=worker.service_categories.first(),
            contact=f"1370099{worker.pk % 1000:03d}{i}",
        )
        # Spread the demo visits over the past months (a real visit is dated when confirmed).
        when = timezone.now() - datetime.timedelta(days=20 + 45 * i)
        ServiceVisit.objects.filter(pk=visit.pk).update(
            confirmed_at=when, service_date=timezone.localdate(when)
        )
        rating = rating_submit(token=token, stars=stars, comment=comment)
        # Stars count in the public average once moderated, with a comment or without.
        if approve and moderate:
            rating_moderate(rating=rating, approve=True, acting_user=regulator)


def seed_trust(ctx, *, workers: list[Worker], demo_worker: Worker, today) -> None:
    """Insurance for the registered workers, visits and ratings for a few of them."""
    staff = ctx.users.get("agency_staff")
    regulator = ctx.users.get("city_regulator")
    registered = [w for w in workers if worker_is_registered(w)]
    # The demo worker is insured: their live code should come up green.
    _insurance(demo_worker, 1, today, staff)
    for n, worker in enumerate(registered, start=2):
        _insurance(worker, n, today, staff)
    _visits(demo_worker, today, regulator)
    for worker in registered[1:4]:
        _visits(worker, today, regulator)
    ctx.say(
        f"  {Insurance.objects.count()} 份责任保险，{ServiceVisit.objects.count()} 次上门确认，"
        f"{VisitRating.objects.filter(status='pending').count()} 条评价待审核"
    )
