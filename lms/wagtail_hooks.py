from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    actions.register_action("lms.otp_enrol", _("绑定身份验证器"), _("绑定了身份验证器"))
    actions.register_action("lms.otp_backup_codes", _("生成备用码"), _("生成了新的备用码"))
    actions.register_action("lms.account_activate", _("开通账户"), _("首次验证码登录，开通了账户"))
    actions.register_action("lms.password_set", _("设置密码"), _("设置了登录密码"))


@hooks.register("insert_global_admin_css")
def admin_cards_css():
    """The cards every app's home panel and the dashboards are drawn with."""
    return format_html('<link rel="stylesheet" href="{}">', static("lms/admin-cards.css"))
