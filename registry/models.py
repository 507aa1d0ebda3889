"""The registry: agencies, branches, workers, filings, employment and credit.

Models stay thin: rules live in ``services/`` (writes) and ``selectors/``
(reads). Invariants that the database can hold are constraints here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lms.masking import mask_id_number, mask_name, mask_tail
from lms.pages import IntroDescribed


class District(models.TextChoices):
    """The 16 districts of Shanghai."""

    HUANGPU = "huangpu", _("黄浦区")
    XUHUI = "xuhui", _("徐汇区")
    CHANGNING = "changning", _("长宁区")
    JINGAN = "jingan", _("静安区")
    PUTUO = "putuo", _("普陀区")
    HONGKOU = "hongkou", _("虹口区")
    YANGPU = "yangpu", _("杨浦区")
    MINHANG = "minhang", _("闵行区")
    BAOSHAN = "baoshan", _("宝山区")
    JIADING = "jiading", _("嘉定区")
    PUDONG = "pudong", _("浦东新区")
    JINSHAN = "jinshan", _("金山区")
    SONGJIANG = "songjiang", _("松江区")
    QINGPU = "qingpu", _("青浦区")
    FENGXIAN = "fengxian", _("奉贤区")
    CHONGMING = "chongming", _("崇明区")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已登记")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已注销")


class ServiceCategory(models.Model):
    """A kind of home service (家务服务, 母婴护理, 养老护理, …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")

    def __str__(self):
        return self.name


class Agency(models.Model):
    """A home-service company (家政企业), identified by its unified social credit code."""

    name = models.CharField(_("企业名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    filing_status = models.CharField(
        _("备案状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    is_demonstration_station = models.BooleanField(_("示范性家政服务站"), default=False)
    demonstration_year = models.PositiveSmallIntegerField(
        _("示范站认定年份"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("家政企业")
        verbose_name_plural = _("家政企业")
        indexes = [models.Index(fields=["district", "filing_status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_demonstration_station=False) | Q(demonstration_year__isnull=False),
                name="agency_demonstration_has_year",
            )
        ]

    def __str__(self):
        return self.name


class Branch(models.Model):
    """An agency's outlet (门店)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("门店名称"), max_length=120)
    district = models.CharField(_("所在区"), max_length=20, choices=District.choices)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("门店")
        verbose_name_plural = _("门店")

    def __str__(self):
        return f"{self.agency} · {self.name}"


class Worker(models.Model):
    """A domestic worker (家政服务员) filed in the registry.

    The resident ID number is never stored in clear: ``id_number_encrypted``
    holds it under MultiFernet and ``id_number_hash`` is a keyed HMAC for
    equality lookup (see lms.crypto and docs/privacy.md).
    """

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    name = models.CharField(_("姓名"), max_length=50)
    id_number_encrypted = models.TextField(_("身份证号（加密）"), editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_last4 = models.CharField(_("身份证后四位"), max_length=4, db_index=True, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
        verbose_name=_("登录账户"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("备案机构"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("门店"),
    )
    photo = models.ImageField(_("照片"), upload_to="workers/photos/", blank=True)
    photo_thumbnail = models.ImageField(
        _("照片缩略图"), upload_to="workers/thumbs/", blank=True, editable=False
    )
    health_check_date = models.DateField(_("体检日期"), null=True, blank=True)
    health_check_expiry = models.DateField(_("体检有效期至"), null=True, blank=True)
    service_categories = models.ManyToManyField(
        ServiceCategory, blank=True, related_name="workers", verbose_name=_("服务类别")
    )
    card_number = models.CharField(
        _("家政卡号"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    card_issued_at = models.DateTimeField(_("发卡时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("家政服务员")
        verbose_name_plural = _("家政服务员")
        indexes = [
            models.Index(fields=["name", "id_last4"]),
            models.Index(fields=["agency", "branch"]),
        ]

    def __str__(self):
        return mask_name(self.name)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def id_number(self) -> str:
        from lms.crypto import decrypt

        return decrypt(self.id_number_encrypted)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Filing(models.Model):
    """A reviewed registration (备案/登记注册) of a worker or of an agency.

    A worker who changes agencies keeps one ``Worker`` row (one card number)
    and gains one filing per agency: the newest is current, the older ones
    stay as history. Every read of "the worker's filing" reads the current one
    (``is_current``; at most one per worker, a database rule).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("新备案")
        TRANSFER = "transfer", _("转入")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, null=True, blank=True, related_name="filings"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="filings"
    )
    #: The agency that filed the worker (a worker filing's own agency, kept when the worker moves).
    filing_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="worker_filings",
        verbose_name=_("备案机构"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    is_current = models.BooleanField(_("当前备案"), default=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    reason = models.TextField(_("审核意见"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(worker__isnull=False) & Q(agency__isnull=True))
                | (Q(worker__isnull=True) & Q(agency__isnull=False)),
                name="filing_exactly_one_subject",
            ),
            # One current filing per worker; a transfer makes the older one history.
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(is_current=True),
                name="filing_one_current_per_worker",
            ),
            models.UniqueConstraint(fields=["agency"], name="filing_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.worker or self.agency} · {self.get_status_display()}"

    def subject(self):
        return self.worker or self.agency

    subject.short_description = _("对象")
    subject = property(subject)

    def subject_agency(self):
        if self.agency_id:
            return self.agency
        if self.filing_agency_id:
            return self.filing_agency
        return self.worker.agency if self.worker else None

    subject_agency.short_description = _("企业")
    subject_agency = property(subject_agency)

    def subject_district(self) -> str:
        agency = self.subject_agency
        return agency.get_district_display() if agency else ""

    subject_district.short_description = _("所在区")
    subject_district = property(subject_district)


class FilingTransition(models.Model):
    """One step in a filing's history: who moved it from what to what, and why."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=FilingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=FilingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("备案记录")
        verbose_name_plural = _("备案记录")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class Employment(models.Model):
    """Who employed a worker, from when to when (从业经历) — the traceability record."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="employments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employments")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    service_category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("服务类型")
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("从业经历")
        verbose_name_plural = _("从业经历")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(end_date__isnull=True), name="employment_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.worker} @ {self.agency}"


class TransferRequest(models.Model):
    """An agency's wish to file a worker who is still employed elsewhere (转入申请).

    Made when such a filing is refused; the worker sees it on their own page
    and may confirm it, which ends the old employment and files the worker
    with the requesting agency.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待本人确认")
        CONFIRMED = "confirmed", _("本人已确认")
        DECLINED = "declined", _("本人已拒绝")
        DONE = "done", _("已转入")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="transfer_requests")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="transfer_requests",
        verbose_name=_("申请机构"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("转入申请")
        verbose_name_plural = _("转入申请")
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "agency"],
                condition=Q(status="pending"),
                name="transfer_request_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.worker} → {self.agency} · {self.get_status_display()}"


class CreditRecord(models.Model):
    """A commendation, complaint, violation or blacklisting about a worker or an agency."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", _("表彰")
        COMPLAINT = "complaint", _("投诉")
        VIOLATION = "violation", _("违规")
        BLACKLIST = "blacklist", _("列入黑名单")

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, null=True, blank=True, related_name="credit_records"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="credit_records"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("来源"), max_length=120)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("说明"))
    is_public = models.BooleanField(_("公开"), default=True)
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        constraints = [
            models.CheckConstraint(
                condition=(Q(worker__isnull=False) & Q(agency__isnull=True))
                | (Q(worker__isnull=True) & Q(agency__isnull=False)),
                name="credit_record_exactly_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.worker or self.agency}"


class AgencyStaff(models.Model):
    """A staff login's membership of one agency (optionally limited to one branch)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_staff"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff")
    branch = models.ForeignKey(
        Branch, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("限定门店")
    )

    class Meta:
        verbose_name = _("企业员工")
        verbose_name_plural = _("企业员工")

    def __str__(self):
        return f"{self.user} @ {self.agency}"


class RegulatorProfile(models.Model):
    """A regulator's scope: a district, or the whole city when ``district`` is empty."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regulator"
    )
    district = models.CharField(_("辖区"), max_length=20, choices=District.choices, blank=True)

    class Meta:
        verbose_name = _("监管人员")
        verbose_name_plural = _("监管人员")

    def __str__(self):
        return f"{self.user} ({self.district or 'city'})"

    @property
    def is_city(self) -> bool:
        return not self.district


class CardSequence(models.Model):
    """The counter behind card numbers (家政卡号): one row per prefix, only ever counts up.

    Card issue locks the row with ``select_for_update``, so two reviewers
    issuing at once never get the same number, and a number once handed out
    is never handed out again (see ``IssuedCard``).
    """

    prefix = models.CharField(max_length=8, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("卡号序列")
        verbose_name_plural = _("卡号序列")

    def __str__(self):
        return f"{self.prefix}:{self.last_value}"


class CardBatch(models.Model):
    """Cards handed out together to one agency (集体领卡)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="card_batches", verbose_name=_("领卡机构")
    )
    collected_by = models.CharField(_("领卡人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("发卡时间"), auto_now_add=True)
    card_count = models.PositiveIntegerField(_("张数"), default=0)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("集体领卡")
        verbose_name_plural = _("集体领卡")

    def __str__(self):
        return f"{self.agency} · {self.card_count}"


class IssuedCard(models.Model):
    """Ledger of every card number ever issued; survives the worker's deletion.

    The unique ``number`` here is what makes "never reused" a database rule
    and not only a property of the sequence.
    """

    number = models.CharField(_("家政卡号"), max_length=20, unique=True)
    worker = models.OneToOneField(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="issued_card"
    )
    batch = models.ForeignKey(
        CardBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="cards"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("发卡时间"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("发卡记录")
        verbose_name_plural = _("发卡记录")

    def __str__(self):
        return self.number


class RosterImport(models.Model):
    """An uploaded roster (花名册) of workers, validated row by row and filed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("处理失败")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="roster_imports")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("文件"), upload_to="registry/rosters/")
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("已备案"), default=0)
    error_count = models.PositiveIntegerField(_("有误行数"), default=0)
    #: [{"row": 3, "column": "身份证号", "message": "…"}, …]
    errors = models.JSONField(_("错误"), default=list, blank=True)
    failure = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    #: Heartbeat: moved on at every chunk, so a stalled import can be told from a long one.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class WorkerTraceLookupPage(IntroDescribed, Page):
    """Public worker traceability lookup (家政服务员信息追溯查询), by card or name + ID tail."""

    intro = RichTextField(_("说明"), blank=True)
    privacy_note = models.CharField(
        _("隐私提示"),
        max_length=255,
        blank=True,
        default=_("查询结果已脱敏：姓名只显示首尾字，不显示身份证号和手机号。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("privacy_note")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list = []

    class Meta:
        verbose_name = _("家政服务员追溯查询页")

    def serve(self, request, *args, **kwargs):
        from .views import worker_trace_lookup

        return worker_trace_lookup(request, page=self)


class AgencyCreditLookupPage(IntroDescribed, Page):
    """Public agency credit lookup (家政企业信用查询), by name or credit code."""

    intro = RichTextField(_("说明"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    subpage_types: list = []

    class Meta:
        verbose_name = _("家政企业信用查询页")

    def serve(self, request, *args, **kwargs):
        from .views import agency_credit_lookup

        return agency_credit_lookup(request, page=self)


# --- household trust: insurance, service visits, ratings ----------------------


class Insurance(models.Model):
    """A worker's liability insurance (责任保险). The policy number is stored encrypted."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="insurances", verbose_name=_("家政服务员")
    )
    insurer = models.CharField(_("保险公司"), max_length=80)
    policy_number_encrypted = models.TextField(_("保单号（加密）"), editable=False)
    #: Keyed digest of the policy number: the same policy is entered once per worker.
    policy_number_hash = models.CharField(max_length=64, editable=False)
    start_date = models.DateField(_("生效日期"))
    end_date = models.DateField(_("到期日期"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-end_date", "-pk"]
        verbose_name = _("责任保险")
        verbose_name_plural = _("责任保险")
        indexes = [models.Index(fields=["worker", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="insurance_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["worker", "policy_number_hash"], name="insurance_policy_once_per_worker"
            ),
        ]

    def __str__(self):
        return f"{self.insurer} {self.masked_policy_number}"

    @property
    def masked_policy_number(self) -> str:
        from lms.crypto import decrypt

        return mask_tail(decrypt(self.policy_number_encrypted))

    masked_policy_number.fget.short_description = _("保单号")

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date


class ServiceVisit(models.Model):
    """A household's confirmation that a worker entered their home (上门确认).

    The household's contact is optional, stored encrypted, and shown only
    masked. The one-time rating link's token is stored as a keyed hash, so
    the database alone cannot rebuild the link.
    """

    class ScannedVia(models.TextChoices):
        PRINTED = "printed", _("纸质证书二维码")
        LIVE = "live", _("手机动态码")

    worker = models.ForeignKey(
        Worker,
        on_delete=models.CASCADE,
        related_name="service_visits",
        verbose_name=_("家政服务员"),
    )
    service_category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务类型"),
    )
    service_date = models.DateField(_("服务日期"))
    district = models.CharField(_("服务所在区"), max_length=20, choices=District.choices)
    contact_encrypted = models.TextField(_("雇主联系方式（加密）"), blank=True, editable=False)
    contact_masked = models.CharField(_("雇主联系方式"), max_length=20, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("确认时间"), db_index=True)
    scanned_via = models.CharField(
        _("扫码方式"), max_length=10, choices=ScannedVia.choices, default=ScannedVia.PRINTED
    )
    rating_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    rating_link_expires_at = models.DateTimeField(_("评价链接有效期至"))

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        verbose_name = _("上门服务记录")
        verbose_name_plural = _("上门服务记录")
        indexes = [models.Index(fields=["worker", "confirmed_at"])]

    def __str__(self):
        return f"{self.worker} · {self.service_date.isoformat()}"

    @property
    def household_label(self) -> str:
        return self.contact_masked or str(_("雇主（未留联系方式）"))


class VisitRating(models.Model):
    """One rating per visit (1–5 stars); its comment shows publicly only once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    visit = models.OneToOneField(
        ServiceVisit, on_delete=models.CASCADE, related_name="rating", verbose_name=_("上门服务")
    )
    stars = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价内容"), blank=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderation_note = models.CharField(_("审核意见"), max_length=255, blank=True)
    credit_record = models.OneToOneField(
        CreditRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_rating",
        verbose_name=_("转为信用记录"),
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("上门评价")
        verbose_name_plural = _("上门评价")
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("moderate_visitrating", _("可以审核上门评价并转为信用记录"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="visit_rating_stars_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.stars}★ · {self.visit}"
