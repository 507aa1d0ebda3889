"""The registry in the Wagtail admin: audit action labels, menus and viewsets."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks

AUDIT_ACTIONS = [
    ("registry.worker_create", _("新增服务员"), _("新增了服务员")),
    ("registry.worker_update", _("修改服务员信息"), _("修改了服务员信息")),
    ("registry.worker_photo", _("更换照片"), _("更换了服务员照片")),
    ("registry.worker_link_login", _("关联登录账户"), _("关联了服务员的登录账户")),
    ("registry.filing_submit", _("提交备案"), _("提交了备案")),
    ("registry.filing_start_review", _("开始审核"), _("开始审核备案")),
    ("registry.filing_approve", _("备案通过"), _("通过了备案")),
    ("registry.filing_reject", _("备案不通过"), _("驳回了备案")),
    ("registry.filing_return", _("退回修改"), _("退回备案要求修改")),
    ("registry.filing_withdraw", _("注销备案"), _("注销了备案")),
    ("registry.card_issue", _("发放家政卡"), _("发放了家政卡")),
    ("registry.card_issue_batch", _("集体领卡"), _("办理了集体领卡")),
    ("registry.employment_start", _("开始从业"), _("登记了从业经历")),
    ("registry.employment_end", _("结束从业"), _("结束了从业经历")),
    ("registry.credit_record_create", _("新增信用记录"), _("新增了信用记录")),
    ("registry.credit_record_expire", _("信用记录失效"), _("使信用记录失效")),
    ("registry.agency_create", _("新增企业"), _("新增了企业")),
    ("registry.branch_create", _("新增门店"), _("新增了门店")),
    ("registry.agency_staff_assign", _("指定企业员工"), _("指定了企业员工")),
    ("registry.regulator_profile_set", _("设置监管范围"), _("设置了监管范围")),
    ("registry.roster_import", _("导入花名册"), _("导入了花名册")),
]


@hooks.register("register_log_actions")
def register_registry_log_actions(actions):
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)
