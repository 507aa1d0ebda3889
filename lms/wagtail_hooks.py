from django.utils.translation import gettext_lazy as _

from wagtail import hooks


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    actions.register_action("lms.otp_enrol", _("绑定身份验证器"), _("绑定了身份验证器"))
    actions.register_action("lms.otp_backup_codes", _("生成备用码"), _("生成了新的备用码"))
