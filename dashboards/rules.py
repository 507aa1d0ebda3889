"""Early-warning rules (预警规则).

Each rule is a function returning findings (what fired, with the facts);
:func:`warnings_evaluate` opens a warning per new cause, refreshes open ones
and closes those whose cause has gone away. Rules only flag for a person to
look at; nothing is punished automatically.

A rule reads its data through selectors only: ``dashboards.selectors.early_warnings``
says which app's selectors hold what, and holds the dashboards' own reads. A new
rule is a function here, a choice in ``SupervisionWarning.Rule`` and an entry in
``RULES``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.selectors.statistics import visits_after_certificate_lapse
from complaints.selectors.statistics import complaints_overdue
from complaints.workdays import city_working_days
from consent.selectors.grants import reported_views_since
from exams import selectors as exam_selectors
from partners.webhooks.selectors import endpoints_disabled_for_failures
from registry.selectors.statistics import (
    blacklisted_in_open_employment,
    pending_filings_by_district,
)

from . import services
from .models import SupervisionSettings, SupervisionWarning
from .selectors import early_warnings, figures


@dataclass
class Finding:
    rule: str
    subject_key: str
    subject_label: str
    district: str = ""
    agency_id: int | None = None
    worker_id: int | None = None
    facts: dict = field(default_factory=dict)


def _settings() -> SupervisionSettings:
    return SupervisionSettings.load()


# --- the rules -----------------------------------------------------------------------------------


def rule_blacklisted_employed(*, now, config) -> list[Finding]:
    """A blacklisted worker still has an open employment: one finding per worker."""
    today = timezone.localdate(now)
    return [
        Finding(
            rule=SupervisionWarning.Rule.BLACKLISTED_EMPLOYED,
            subject_key=f"worker:{e.worker_id}",
            subject_label=_("%(worker)s（%(agency)s）")
            % {"worker": e.worker.masked_name, "agency": e.agency.name},
            district=e.agency.district,
            agency_id=e.agency_id,
            worker_id=e.worker_id,
            facts={
                _("在岗企业"): e.agency.name,
                _("入职日期"): e.start_date.isoformat(),
                _("家政卡号"): e.worker.card_number or "",
            },
        )
        for e in blacklisted_in_open_employment(today=today)
    ]


def rule_visit_after_lapse(*, now, config) -> list[Finding]:
    """A service visit confirmed after the worker's certificate lapsed (per certificate)."""
    rows = list(visits_after_certificate_lapse())
    workers = early_warnings.workers_with_agency({r.worker_id for r in rows})
    findings = []
    for row in rows:
        worker = workers.get(row.worker_id)
        if worker is None:
            continue
        findings.append(
            Finding(
                rule=SupervisionWarning.Rule.VISIT_AFTER_LAPSE,
                subject_key=f"certificate:{row.certificate_id}",
                subject_label=worker.masked_name,
                district=worker.agency.district if worker.agency else "",
                agency_id=worker.agency_id,
                worker_id=worker.pk,
                facts={
                    _("上门确认时间"): timezone.localtime(row.confirmed_at).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                },
            )
        )
    return findings


def rule_agency_complaints(*, now, config) -> list[Finding]:
    """An agency with more complaints in 90 days than the configured limit."""
    since = timezone.localdate(now) - datetime.timedelta(days=90)
    limit = config.complaints_per_agency_90d
    agencies = early_warnings.agencies_over_complaint_limit(since=since, limit=limit)
    return [
        Finding(
            rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS,
            subject_key=f"agency:{a.pk}",
            subject_label=a.name,
            district=a.district,
            agency_id=a.pk,
            facts={
                _("90 天内投诉"): a.complaints,
                _("预警阈值"): limit,
                _("统计起始日"): since.isoformat(),
            },
        )
        for a in agencies
    ]


def rule_complaint_overdue(*, now, config) -> list[Finding]:
    """A complaint still open after its deadline (15 working days): one finding per complaint,
    in the district handling it; it closes itself when the complaint is closed."""
    today = timezone.localdate(now)
    return [
        Finding(
            rule=SupervisionWarning.Rule.COMPLAINT_OVERDUE,
            subject_key=f"complaint:{c.pk}",
            subject_label=c.number,
            district=c.district,
            agency_id=c.agency_id,
            worker_id=c.worker_id,
            facts={
                _("投诉编号"): c.number,
                _("状态"): c.get_status_display(),
                _("办结期限"): c.due_on.isoformat(),
                _("被投诉企业"): c.agency.name if c.agency else "",
            },
        )
        for c in complaints_overdue(today=today)
    ]


def rule_filing_overdue(*, now, config) -> list[Finding]:
    """Filings waiting for review beyond the configured working days (per district)."""
    days = config.filing_review_working_days
    cutoff = city_working_days().before(now, days)
    return [
        Finding(
            rule=SupervisionWarning.Rule.FILING_OVERDUE,
            subject_key=f"district:{row['worker__agency__district']}",
            subject_label=figures.district_label(row["worker__agency__district"]),
            district=row["worker__agency__district"],
            facts={
                _("超时待审备案"): row["n"],
                _("审核时限（工作日）"): days,
                _("最早提交时间"): timezone.localtime(row["oldest"]).strftime("%Y-%m-%d %H:%M"),
            },
        )
        for row in pending_filings_by_district(submitted_before=cutoff)
        if row["worker__agency__district"]
    ]


def rule_low_valid_share(*, now, config) -> list[Finding]:
    """An agency with enough registered workers but too few holding a valid certificate."""
    today = timezone.localdate(now)
    rows = early_warnings.valid_share_by_agency(today=today)
    low = {
        row["agency_id"]: row
        for row in rows
        if row["agency_id"]
        and row["workers"] >= config.valid_share_min_workers
        and row["holders"] * 100 < config.valid_share_min_percent * row["workers"]
    }
    agencies = early_warnings.agencies_named(low)
    return [
        Finding(
            rule=SupervisionWarning.Rule.LOW_VALID_SHARE,
            subject_key=f"agency:{a.pk}",
            subject_label=a.name,
            district=a.district,
            agency_id=a.pk,
            facts={
                _("已登记人数"): low[a.pk]["workers"],
                _("持有效证书"): low[a.pk]["holders"],
                _("持证率（%）"): figures.rate(low[a.pk]["holders"], low[a.pk]["workers"]),
                _("下限（%）"): config.valid_share_min_percent,
            },
        )
        for a in agencies
    ]


def rule_exam_same_address(*, now, config) -> list[Finding]:
    """Many workers started attempts from one address in one hour (per district)."""
    since = now - datetime.timedelta(days=config.exam_lookback_days)
    findings = []
    for row in exam_selectors.attempt_bursts_by_address(
        since=since, min_workers=config.exam_attempts_per_address
    ):
        hour = row["hour"]
        attempts = list(
            exam_selectors.attempt_workers_at(
                client_ip=row["client_ip"], since=hour, until=hour + datetime.timedelta(hours=1)
            )
        )
        by_district: dict = defaultdict(set)
        for a in attempts:
            by_district[a.worker.agency.district if a.worker.agency else ""].add(a.worker_id)
        local = timezone.localtime(hour).strftime("%Y-%m-%d %H:00")
        for district, worker_ids in by_district.items():
            findings.append(
                Finding(
                    rule=SupervisionWarning.Rule.EXAM_SAME_ADDRESS,
                    subject_key=f"ip:{row['client_ip']}:{hour.isoformat()}:{district}",
                    subject_label=_("%(ip)s（%(hour)s）") % {"ip": row["client_ip"], "hour": local},
                    district=district,
                    facts={
                        _("地址"): row["client_ip"],
                        _("时段"): local,
                        _("考试人数"): row["workers"],
                        _("作答次数"): row["attempts"],
                        _("本区人数"): len(worker_ids),
                        _("阈值"): config.exam_attempts_per_address,
                    },
                )
            )
    return findings


def rule_exam_same_answers(*, now, config) -> list[Finding]:
    """Identical answer sheets, with enough wrong answers, from several workers at one exam."""
    since = now - datetime.timedelta(days=config.exam_lookback_days)
    signatures: dict = defaultdict(list)
    attempt_of: dict = {}
    parts: dict = defaultdict(list)
    for (
        attempt_id,
        worker_id,
        exam_id,
        question_id,
        selected,
        _correct,
    ) in exam_selectors.graded_answer_rows(
        since=since, min_wrong=config.exam_same_answers_min_wrong
    ):
        attempt_of[attempt_id] = (worker_id, exam_id)
        parts[attempt_id].append(f"{question_id}:{','.join(sorted(map(str, selected or [])))}")
    for attempt_id, answer_parts in parts.items():
        worker_id, exam_id = attempt_of[attempt_id]
        signatures[(exam_id, "|".join(answer_parts))].append((attempt_id, worker_id))
    groups = [
        (key, members)
        for key, members in signatures.items()
        if len({w for _a, w in members}) >= config.exam_same_answers_workers
    ]
    if not groups:
        return []
    worker_ids = {w for _key, members in groups for _a, w in members}
    workers = early_warnings.workers_with_agency(worker_ids)
    findings = []
    for (exam_id, _signature), members in groups:
        attempt_ids = sorted(a for a, _w in members)
        districts = sorted(
            {workers[w].agency.district for _a, w in members if w in workers and workers[w].agency}
        )
        for district in districts or [""]:
            findings.append(
                Finding(
                    rule=SupervisionWarning.Rule.EXAM_SAME_ANSWERS,
                    subject_key=f"answers:{exam_id}:{attempt_ids[0]}:{district}",
                    subject_label=_("%(count)s 份答卷完全相同") % {"count": len(attempt_ids)},
                    district=district,
                    facts={
                        _("考试编号"): exam_id,
                        _("作答编号"): ", ".join(map(str, attempt_ids)),
                        _("服务员"): "、".join(
                            sorted({workers[w].masked_name for _a, w in members if w in workers})
                        ),
                    },
                )
            )
    return findings


def rule_view_reported(*, now, config) -> list[Finding]:
    """A worker reported a view of their information they do not recognise (per view)."""
    since = now - datetime.timedelta(days=30)
    return [
        Finding(
            rule=SupervisionWarning.Rule.VIEW_REPORTED,
            subject_key=f"view:{view.pk}",
            subject_label=view.worker.masked_name,
            district=view.worker.agency.district if view.worker.agency else "",
            agency_id=view.worker.agency_id,
            worker_id=view.worker_id,
            facts={
                _("查看时间"): timezone.localtime(view.viewed_at).strftime("%Y-%m-%d %H:%M"),
                _("查看方式"): str(view.get_kind_display()),
                _("查看方"): view.viewer_label,
                _("举报时间"): timezone.localtime(view.reported_at).strftime("%Y-%m-%d %H:%M"),
                _("家政卡号"): view.worker.card_number or "",
            },
        )
        for view in reported_views_since(since)
    ]


def rule_webhook_disabled(*, now, config) -> list[Finding]:
    """A partner's webhook endpoint stopped after its deliveries were abandoned (a day of
    failures): one finding per endpoint, city level; it closes itself when the endpoint
    is enabled again or removed."""
    return [
        Finding(
            rule=SupervisionWarning.Rule.WEBHOOK_DISABLED,
            subject_key=f"webhook:{e.pk}",
            subject_label=_("%(partner)s 的推送地址") % {"partner": e.partner.name},
            facts={
                _("合作系统"): e.partner.name,
                _("推送地址"): e.url,
                _("停用时间"): timezone.localtime(e.disabled_at).strftime("%Y-%m-%d %H:%M")
                if e.disabled_at
                else "",
                _("停用原因"): e.disabled_reason,
            },
        )
        for e in endpoints_disabled_for_failures()
    ]


RULES = {
    SupervisionWarning.Rule.BLACKLISTED_EMPLOYED: rule_blacklisted_employed,
    SupervisionWarning.Rule.VISIT_AFTER_LAPSE: rule_visit_after_lapse,
    SupervisionWarning.Rule.AGENCY_COMPLAINTS: rule_agency_complaints,
    SupervisionWarning.Rule.COMPLAINT_OVERDUE: rule_complaint_overdue,
    SupervisionWarning.Rule.FILING_OVERDUE: rule_filing_overdue,
    SupervisionWarning.Rule.LOW_VALID_SHARE: rule_low_valid_share,
    SupervisionWarning.Rule.EXAM_SAME_ADDRESS: rule_exam_same_address,
    SupervisionWarning.Rule.EXAM_SAME_ANSWERS: rule_exam_same_answers,
    SupervisionWarning.Rule.VIEW_REPORTED: rule_view_reported,
    SupervisionWarning.Rule.WEBHOOK_DISABLED: rule_webhook_disabled,
}

#: Rules whose cause is a past event: they do not close themselves when the
#: event drops out of the look-back window; a regulator resolves them.
EVENT_RULES = {
    SupervisionWarning.Rule.VIEW_REPORTED,
    SupervisionWarning.Rule.EXAM_SAME_ADDRESS,
    SupervisionWarning.Rule.EXAM_SAME_ANSWERS,
    SupervisionWarning.Rule.VISIT_AFTER_LAPSE,
}


@dataclass
class Evaluation:
    opened: list = field(default_factory=list)
    refreshed: int = 0
    closed: int = 0


def warnings_evaluate(*, now=None, rules=None) -> Evaluation:
    """Run the rules once: open new warnings, refresh open ones, close those whose
    cause has gone away (state rules only). New warnings are e-mailed after commit."""
    now = now or timezone.now()
    config = _settings()
    result = Evaluation()
    for rule, func in RULES.items():
        if rules is not None and rule not in rules:
            continue
        findings = func(now=now, config=config)
        with transaction.atomic():
            seen = set()
            for finding in findings:
                warning, created = services.warning_raise(finding=finding)
                seen.add(finding.subject_key)
                if created:
                    result.opened.append(warning.pk)
                else:
                    result.refreshed += 1
            if rule in EVENT_RULES:
                continue
            # Demonstration warnings (seed_demo) have no cause to re-check: closed by hand.
            for warning in early_warnings.open_warnings_not_seen(rule, seen):
                services.warning_autoclose(
                    warning=warning, reason=_("触发原因已消除，系统自动关闭。")
                )
                result.closed += 1
    if result.opened:
        from .tasks import warnings_notify

        opened = list(result.opened)
        transaction.on_commit(lambda: warnings_notify.delay(opened))
    return result
