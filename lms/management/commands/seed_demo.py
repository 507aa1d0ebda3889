"""Build the demo site on an empty (or already seeded) database, idempotently.

Each installed app may ship a ``demo`` module with ``seed(ctx)``; they run in
INSTALLED_APPS order (lms first, cms and dashboards last), so every app adds
its own demo data without this command importing any app by name.
"""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms.demo import DEMO_BACKUP_CODES, DEMO_TOTP_BASE32, DemoContext


class Command(BaseCommand):
    help = "Create or refresh the demo data and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="demo-pass-2026", help="password for every demo login"
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="seed even though DJANGO_DEBUG is off (a staging copy, a benchmark database)",
        )

    def handle(self, *args, password, not_production=False, **options):
        # The demo logins, their second-factor key and backup codes are public
        # (README); on a production database they would be a way in.
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "seed_demo 会创建公开密码和第二步验证密钥的演示账号，只能在演示环境运行："
                "请设置 DJANGO_DEBUG=1，或确认不是生产环境后加 --i-know-this-is-not-production。"
                " / seed_demo creates logins whose password and second factor are public: "
                "run it with DJANGO_DEBUG=1, or pass --i-know-this-is-not-production."
            )
        ctx = DemoContext(password=password, stdout=self.stdout)
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            if not hasattr(module, "seed"):
                continue
            self.stdout.write(f"· {app_config.verbose_name} ({app_config.label}) …")
            with transaction.atomic():
                module.seed(ctx)
        self._print_summary(ctx)

    def _print_summary(self, ctx: DemoContext) -> None:
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("演示数据已就绪 / Demo data ready"))
        rows = [("角色 role", "登录名 login", "密码 password", "第二步验证 second factor")]
        rows += [(role, login, ctx.password, note) for role, login, note in ctx.logins]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            w("  ".join(_pad(cell, widths[j]) for j, cell in enumerate(row)))
            if i == 0:
                w("  ".join("-" * widths[j] for j in range(4)))
        w("")
        w(
            f"工作人员第二步验证：备用码 {' '.join(DEMO_BACKUP_CODES)}（每个用一次，"
            f"重新运行 seed_demo 恢复），或在身份验证器 App 中手动添加密钥 {DEMO_TOTP_BASE32}。"
        )
        w(
            "新登记的服务员：先以机构账号登记一名服务员，再用其手机号在 /accounts/login/ 验证码登录，"
            "验证码显示在本终端。 / A freshly filed worker: file a worker, then sign in with "
            "their mobile number at /accounts/login/ (验证码登录); the code appears in this terminal."
        )
        for label, url in ctx.urls:
            w(f"{label}: {url}")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
