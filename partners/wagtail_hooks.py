"""Partner systems in the Wagtail admin: audit labels, the partners and their call log."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks

AUDIT_ACTIONS = [
    ("partners.credential_create", _("新建客户端密钥"), _("为合作系统新建了客户端密钥")),
    ("partners.credential_revoke", _("吊销客户端密钥"), _("吊销了合作系统的客户端密钥")),
]


@hooks.register("register_log_actions")
def register_partners_log_actions(actions):
    for name, label, message in AUDIT_ACTIONS:
        actions.register_action(name, label, message)
