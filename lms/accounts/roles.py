"""Roles are Django groups; this module names them and grants permissions.

Groups are created by the accounts migration `0002_roles`. Each app grants its
own model permissions to these groups from a data migration of its own with
:func:`grant`, so no app needs to know another's models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Wagtail's own migrations create "Editors" and "Moderators".
    EDITOR = "Editors", _("内容编辑")
    MODERATOR = "Moderators", _("内容审核")
    REVIEWER = "Reviewers", _("登记审核员")
    CITY_REGULATOR = "City regulators", _("市级监管")
    DISTRICT_REGULATOR = "District regulators", _("区级监管")
    AGENCY_STAFF = "Agency staff", _("企业员工")
    # The group is created by the sittings migration that grants its permissions (#27).
    PROCTOR = "Proctors", _("监考员")
    WORKER = "Workers", _("家政服务员")


def grant(apps, role: str, app_label: str, codenames: list[str]) -> None:
    """Give group `role` the permissions `app_label.<codename>` (for data migrations).

    Model permissions are normally created after migrations run; this creates
    them first so a migration can grant them on a fresh database.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # The migration state's app config stub has no models module; create_permissions needs one.
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=role)
    perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    missing = set(codenames) - set(perms.values_list("codename", flat=True))
    if missing:
        raise LookupError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)


def user_has_role(user, role: str) -> bool:
    """Whether `user` belongs to the group of `role` (cached on the user object)."""
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_cache = cache
    return role in cache
