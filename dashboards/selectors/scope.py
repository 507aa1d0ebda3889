"""Who sees what in the dashboards: a signed-in user's scope.

Everything is scoped by ``registry.selectors.access.workers_visible_to(user)``: an
agency staff member sees their agency's workers (only their branch's when
limited to one), a district regulator their district's, a city regulator all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from registry.models import Branch
from registry.selectors.access import (
    agencies_visible_to,
    agency_staff_for_user,
    regulator_district_for_user,
    user_is_regulator,
    user_sees_all_workers,
    workers_visible_to,
)


@dataclass
class Scope:
    """What a signed-in user may see in the dashboards."""

    user: object
    workers: QuerySet
    agencies: QuerySet
    agency: object = None  # set for agency staff
    branch: object = None  # set for a branch-limited staff member
    district: str = ""  # set for a district regulator
    is_regulator: bool = False

    @property
    def is_agency_staff(self) -> bool:
        return self.agency is not None

    def branches(self) -> QuerySet[Branch]:
        if self.branch is not None:
            return Branch.objects.filter(pk=self.branch.pk)
        if self.agency is not None:
            return Branch.objects.filter(agency=self.agency).order_by("name")
        return Branch.objects.filter(agency__in=self.agencies).order_by("agency__name", "name")


def scope_for(user) -> Scope | None:
    """The user's dashboard scope, or None when they have no business here."""
    if user is None or not user.is_authenticated:
        return None
    membership = agency_staff_for_user(user)
    if membership is not None:
        return Scope(
            user=user,
            workers=workers_visible_to(user),
            agencies=agencies_visible_to(user),
            agency=membership.agency,
            branch=membership.branch,
        )
    if user_is_regulator(user):
        district = regulator_district_for_user(user) or ""
        if not district and not user_sees_all_workers(user):
            # A district regulator without a district on file sees nothing.
            return None
        return Scope(
            user=user,
            workers=workers_visible_to(user),
            agencies=agencies_visible_to(user),
            district=district,
            is_regulator=True,
        )
    return None
