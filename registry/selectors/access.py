"""Who is behind a login, and what they may see.

Other apps call these (never the models' managers directly) to find the
worker behind a login, the agency behind a staff login, and the workers,
agencies, filings, credit records and roster imports a user may see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lms.accounts.roles import Role, user_has_role
from registry.models import (
    Agency,
    AgencyStaff,
    CreditRecord,
    Filing,
    RegulatorProfile,
    RosterImport,
    Worker,
)


def _once_per_user(user, attribute: str, model):
    """The `model` row linked to a signed-in `user` (or None), read once and then kept on
    the user object under `attribute`, so a request asks the database once; None when
    anonymous."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, attribute, False)
    if cached is not False:
        return cached
    row = model.objects.select_related("agency", "branch").filter(user=user).first()
    setattr(user, attribute, row)
    return row


def worker_for_user(user) -> Worker | None:
    """The worker filed for this login, or None (anonymous, staff, or not filed)."""
    return _once_per_user(user, "_registry_worker", Worker)


def agency_staff_for_user(user) -> AgencyStaff | None:
    """The agency membership of a staff login (with its optional branch limit), or None."""
    return _once_per_user(user, "_registry_agency_staff", AgencyStaff)


def agency_for_user(user) -> Agency | None:
    """The agency a staff login works for, or None."""
    membership = agency_staff_for_user(user)
    return membership.agency if membership else None


def regulator_profile_for_user(user) -> RegulatorProfile | None:
    """The regulator profile (district scope) of a login, or None."""
    if user is None or not user.is_authenticated:
        return None
    return RegulatorProfile.objects.filter(user=user).first()


def user_sees_all_workers(user) -> bool:
    """Superusers, reviewers and city regulators see every worker and agency."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user_has_role(user, Role.REVIEWER):
        return True
    if user_has_role(user, Role.CITY_REGULATOR):
        return True
    profile = regulator_profile_for_user(user)
    return bool(profile and profile.is_city and user_has_role(user, Role.DISTRICT_REGULATOR))


def user_is_regulator(user) -> bool:
    """Whether a login regulates: a city or district regulator, or a superuser."""
    return bool(
        user is not None
        and user.is_authenticated
        and (
            user.is_superuser
            or user_has_role(user, Role.CITY_REGULATOR)
            or user_has_role(user, Role.DISTRICT_REGULATOR)
        )
    )


def user_is_reviewer(user) -> bool:
    """Whether a login reviews filings: a reviewer or a superuser."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user_has_role(user, Role.REVIEWER))
    )


def regulator_district_for_user(user) -> str | None:
    """A district regulator's district; None for everyone else (city-wide or no scope)."""
    if not user_has_role(user, Role.DISTRICT_REGULATOR):
        return None
    profile = regulator_profile_for_user(user)
    return profile.district if profile and profile.district else None


def agencies_visible_to(user) -> QuerySet[Agency]:
    """Agencies a user may see: own agency (staff), district, or all."""
    if user_sees_all_workers(user):
        return Agency.objects.all()
    membership = agency_staff_for_user(user)
    if membership is not None:
        return Agency.objects.filter(pk=membership.agency_id)
    district = regulator_district_for_user(user)
    if district:
        return Agency.objects.filter(district=district)
    return Agency.objects.none()


def workers_visible_to(user) -> QuerySet[Worker]:
    """Workers a user may see.

    Agency staff: their agency's workers (only their branch's when limited to
    one); reviewers, city regulators and superusers: all; district
    regulators: workers of agencies in their district; everyone else: none.
    """
    if user_sees_all_workers(user):
        return Worker.objects.all()
    membership = agency_staff_for_user(user)
    if membership is not None:
        return workers_of_membership(membership)
    district = regulator_district_for_user(user)
    if district:
        return Worker.objects.filter(agency__district=district)
    return Worker.objects.none()


def workers_of_membership(membership: AgencyStaff) -> QuerySet[Worker]:
    """The workers an agency staff member answers for: the agency's, or the branch's."""
    qs = Worker.objects.filter(agency_id=membership.agency_id)
    if membership.branch_id:
        qs = qs.filter(branch_id=membership.branch_id)
    return qs


def filings_visible_to(user) -> QuerySet[Filing]:
    """Filings (of workers and of agencies) a user may see, by the same rules."""
    if user_sees_all_workers(user):
        return Filing.objects.all()
    workers = workers_visible_to(user)
    agencies = agencies_visible_to(user)
    # A worker's older filings (with a former agency) are history: only reviewers and
    # the city see them, so an agency never reads another agency's filing.
    return Filing.objects.filter(Q(worker__in=workers, is_current=True) | Q(agency__in=agencies))


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    """Credit records a user may see: about the workers and agencies they may see."""
    if user_sees_all_workers(user):
        return CreditRecord.objects.all()
    return CreditRecord.objects.filter(
        Q(worker__in=workers_visible_to(user)) | Q(agency__in=agencies_visible_to(user))
    )


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    """Roster imports a user may see: those of the agencies they may see."""
    if user_sees_all_workers(user):
        return RosterImport.objects.all()
    return RosterImport.objects.filter(agency__in=agencies_visible_to(user))
