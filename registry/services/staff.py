"""Who acts for whom: agency staff memberships and regulators' scopes."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.accounts.roles import Role
from lms.audit import audit
from registry.models import Agency, AgencyStaff, Branch, District, RegulatorProfile


@transaction.atomic
def agency_staff_assign(
    *, user, agency: Agency, branch: Branch | None = None, acting_user=None
) -> AgencyStaff:
    """Make `user` staff of `agency` (optionally limited to one branch)."""
    if branch is not None and branch.agency_id != agency.pk:
        raise ValidationError({"branch": _("门店不属于该企业。")}, code="branch_agency")
    membership, _created = AgencyStaff.objects.update_or_create(
        user=user, defaults={"agency": agency, "branch": branch}
    )
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=Role.AGENCY_STAFF))
    for attr in ("_registry_agency_staff", "_role_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
    audit(
        membership,
        "registry.agency_staff_assign",
        user=acting_user,
        data={"user": user.pk, "agency": agency.pk, "branch": branch.pk if branch else None},
    )
    return membership


@transaction.atomic
def regulator_profile_set(*, user, district: str = "", acting_user=None) -> RegulatorProfile:
    """Set a regulator's scope: a district, or the whole city with an empty district."""
    if district and district not in District.values:
        raise ValidationError({"district": _("请选择辖区。")}, code="district")
    profile, _created = RegulatorProfile.objects.update_or_create(
        user=user, defaults={"district": district}
    )
    role = Role.DISTRICT_REGULATOR if district else Role.CITY_REGULATOR
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit(profile, "registry.regulator_profile_set", user=acting_user, data={"district": district})
    return profile
