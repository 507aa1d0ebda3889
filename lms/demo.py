"""Demo data of the lms app: one login per role, each staff login with a second factor.

Called by ``manage.py seed_demo`` before the other apps' ``demo.seed``.
"""

import base64
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.accounts.roles import Role

# A fixed TOTP key for every demo staff login, so an authenticator app can be
# set up from the README (the base32 form is printed for manual entry).
_DEMO_TOTP_KEY = b"jiazheng-demo-totp!!"
DEMO_TOTP_KEY_HEX = _DEMO_TOTP_KEY.hex()
DEMO_TOTP_BASE32 = base64.b32encode(_DEMO_TOTP_KEY).decode()
DEMO_BACKUP_CODES = ["11111111", "22222222", "33333333", "44444444", "55555555"]


@dataclass
class DemoContext:
    """Shared between the apps' demo seeders: what exists and what to print."""

    password: str
    stdout: object = None
    users: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)  # (role label, login, note)
    urls: list = field(default_factory=list)  # (label, url)
    data: dict = field(default_factory=dict)  # free-form hand-offs between apps

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


# (key, username or phone, display name, role group, is_superuser)
DEMO_USERS = [
    ("admin", "admin", "系统管理员", None, True),
    ("editor", "editor", "王编辑", Role.EDITOR, False),
    ("moderator", "moderator", "赵主编", Role.MODERATOR, False),
    ("reviewer", "reviewer", "李审核", Role.REVIEWER, False),
    ("city_regulator", "city", "陈市监管", Role.CITY_REGULATOR, False),
    ("district_regulator", "district", "周区监管", Role.DISTRICT_REGULATOR, False),
    ("agency_staff", "agency", "吴企业", Role.AGENCY_STAFF, False),
    ("proctor", "proctor", "孙监考", Role.PROCTOR, False),
]
DEMO_WORKER_PHONE = "13800000001"


def _second_factor(user) -> None:
    TOTPDevice.objects.update_or_create(
        user=user, name="demo authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
    )
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    # Backup codes are used up by signing in; the seed puts them back.
    for code in DEMO_BACKUP_CODES:
        StaticToken.objects.get_or_create(device=device, token=code)


def seed(ctx: DemoContext) -> None:
    User = get_user_model()
    for key, username, name, role, superuser in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.name = name
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(ctx.password)
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        _second_factor(user)
        ctx.users[key] = user
        label = str(Role(role).label) if role else "超级管理员"
        ctx.logins.append((label, username, f"备用码 {DEMO_BACKUP_CODES[0]}"))

    worker_user, _created = User.objects.get_or_create(
        username=f"w{DEMO_WORKER_PHONE}", defaults={"phone": DEMO_WORKER_PHONE}
    )
    worker_user.phone = DEMO_WORKER_PHONE
    worker_user.name = "张小红"
    worker_user.set_password(ctx.password)
    worker_user.save()
    worker_user.groups.add(Group.objects.get(name=Role.WORKER))
    ctx.users["worker"] = worker_user
    ctx.logins.append((str(Role.WORKER.label), DEMO_WORKER_PHONE, "手机号登录，无需验证码"))
