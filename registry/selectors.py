"""Reads of the registry: who may see which workers, standings, lookups.

Other apps call these (never the models' managers directly) to find the
worker behind a login, the agency behind a staff login, the workers a user
may see, and a worker's or agency's credit standing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.roles import Role, user_has_role
from lms.crypto import lookup_hash
from lms.validators import normalize_credit_code, normalize_id_number

from .models import (
    Agency,
    AgencyStaff,
    CreditRecord,
    District,
    Employment,
    Filing,
    FilingStatus,
    Insurance,
    RegulatorProfile,
    RosterImport,
    ServiceCategory,
    ServiceVisit,
    TransferRequest,
    VisitRating,
    Worker,
)

# --- who is behind a login ------------------------------------------------------


def worker_for_user(user) -> Worker | None:
    """The worker filed for this login, or None (anonymous, staff, or not filed)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_registry_worker", False)
    if cached is not False:
        return cached
    worker = Worker.objects.select_related("agency", "branch").filter(user=user).first()
    user._registry_worker = worker
    return worker


def agency_staff_for_user(user) -> AgencyStaff | None:
    """The agency membership of a staff login (with its optional branch limit), or None."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_registry_agency_staff", False)
    if cached is not False:
        return cached
    membership = AgencyStaff.objects.select_related("agency", "branch").filter(user=user).first()
    user._registry_agency_staff = membership
    return membership


def agency_for_user(user) -> Agency | None:
    """The agency a staff login works for, or None."""
    membership = agency_staff_for_user(user)
    return membership.agency if membership else None


def regulator_profile_for_user(user) -> RegulatorProfile | None:
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


# --- visibility -------------------------------------------------------------


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


#: Filings a reviewer still has to decide (待审核): submitted or under review.
FILINGS_WAITING = (FilingStatus.SUBMITTED, FilingStatus.UNDER_REVIEW)


def filing_next_waiting(*, user, after: Filing) -> Filing | None:
    """The waiting filing that follows `after` in submission order, wrapping round; None if none.

    Going on from `after` (not back to the oldest) lets a reviewer pass over a
    filing they cannot decide yet without being sent back to it.
    """
    waiting = (
        filings_visible_to(user)
        .filter(status__in=FILINGS_WAITING)
        .exclude(pk=after.pk)
        .order_by("submitted_at", "pk")
    )
    later = Q(submitted_at__gt=after.submitted_at) | Q(
        submitted_at=after.submitted_at, pk__gt=after.pk
    )
    return waiting.filter(later).first() or waiting.first()


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    if user_sees_all_workers(user):
        return CreditRecord.objects.all()
    return CreditRecord.objects.filter(
        Q(worker__in=workers_visible_to(user)) | Q(agency__in=agencies_visible_to(user))
    )


def roster_imports_visible_to(user) -> QuerySet[RosterImport]:
    if user_sees_all_workers(user):
        return RosterImport.objects.all()
    return RosterImport.objects.filter(agency__in=agencies_visible_to(user))


# --- filings ------------------------------------------------------------------


# Workers from worker_own_record() and the public lookup carry their related rows as
# lists (``Prefetch(..., to_attr=...)``); the selectors below read those when present.


def worker_filing(worker: Worker) -> Filing | None:
    """The worker's current filing (at most one), or None before one is made."""
    filings = getattr(worker, "prefetched_filings", None)
    if filings is not None:
        return next((f for f in filings if f.is_current), None)
    return Filing.objects.filter(worker=worker, is_current=True).first()


def worker_past_filings(worker: Worker) -> list[Filing]:
    """The worker's earlier filings (with former agencies), newest first: their history."""
    filings = getattr(worker, "prefetched_filings", None)
    if filings is not None:
        past = [f for f in filings if not f.is_current]
        return sorted(past, key=lambda f: (f.submitted_at, f.pk), reverse=True)
    return list(
        Filing.objects.filter(worker=worker, is_current=False)
        .select_related("filing_agency")
        .order_by("-submitted_at", "-pk")
    )


def worker_pending_transfer_requests(worker: Worker) -> list[TransferRequest]:
    """Agencies asking to file this worker while they work elsewhere (the worker's own page)."""
    return list(
        TransferRequest.objects.filter(worker=worker, status=TransferRequest.Status.PENDING)
        .select_related("agency", "branch")
        .order_by("-requested_at", "-pk")
    )


def worker_transfer_request(worker: Worker, pk) -> TransferRequest | None:
    """One of this worker's transfer requests (None when it is not theirs)."""
    return TransferRequest.objects.filter(worker=worker, pk=pk).first()


def worker_filing_status(worker: Worker) -> str | None:
    annotated = getattr(worker, "public_filing_status", None)
    if annotated:
        return annotated
    filing = worker_filing(worker)
    return filing.status if filing else None


def worker_is_registered(worker: Worker) -> bool:
    """Approved (已登记) and not withdrawn."""
    return worker_filing_status(worker) == FilingStatus.APPROVED


def worker_find_by_id_number(id_number: str) -> Worker | None:
    """The worker with this resident ID number (looked up by its keyed hash), or None."""
    number = normalize_id_number(id_number)
    if not number:
        return None
    return Worker.objects.filter(id_number_hash=lookup_hash(number)).first()


def workers_ready_for_cards(*, agency: Agency | None = None) -> QuerySet[Worker]:
    """Approved workers without a card yet (for individual or batch issue)."""
    qs = Worker.objects.filter(
        filings__is_current=True, filings__status=FilingStatus.APPROVED, card_number__isnull=True
    ).select_related("agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.order_by("pk")


# --- employment -------------------------------------------------------------


def worker_current_employment(worker: Worker) -> Employment | None:
    """The worker's open employment (at most one), or None."""
    employments = getattr(worker, "prefetched_employments", None)
    if employments is not None:
        return next((e for e in employments if e.end_date is None), None)
    return (
        Employment.objects.select_related("agency", "branch", "service_category")
        .filter(worker=worker, end_date__isnull=True)
        .first()
    )


def worker_employment_history(worker: Worker) -> list[Employment]:
    employments = getattr(worker, "prefetched_employments", None)
    if employments is not None:
        return list(employments)
    return list(
        Employment.objects.select_related("agency", "branch", "service_category")
        .filter(worker=worker)
        .order_by("-start_date", "-pk")
    )


# --- credit -----------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A computed credit standing (信用状况) and the records that explain it."""

    level: str  # "good" | "caution" | "blacklisted"
    label: str
    records: list = field(default_factory=list)

    GOOD = "good"
    CAUTION = "caution"
    BLACKLISTED = "blacklisted"

    @property
    def css(self) -> str:
        return {"good": "ok", "caution": "warn", "blacklisted": "bad"}[self.level]

    @property
    def is_blacklisted(self) -> bool:
        return self.level == self.BLACKLISTED


STANDING_LABELS = {
    Standing.GOOD: _("信用良好"),
    Standing.CAUTION: _("有不良记录"),
    Standing.BLACKLISTED: _("已列入黑名单"),
}


def credit_record_is_active(record: CreditRecord, today=None) -> bool:
    """A record counts until its expiry date (the expiry day itself no longer counts)."""
    today = today or timezone.localdate()
    return record.occurred_on <= today and (record.expires_on is None or record.expires_on > today)


#: Active records of these kinds make a standing "blacklisted" (a red door code).
BLACKLIST_KINDS = frozenset({CreditRecord.Kind.BLACKLIST})
#: Active records of these kinds make a standing "caution" (a yellow door code).
CAUTION_KINDS = frozenset({CreditRecord.Kind.VIOLATION, CreditRecord.Kind.COMPLAINT})


def active_credit_records_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(occurred_on__lte=today) & (Q(expires_on__isnull=True) | Q(expires_on__gt=today))


def standing_from_records(records, *, today=None, public_only: bool = False) -> Standing:
    """Standing from a list of records: any active blacklisting → blacklisted;
    any active complaint or violation → caution; otherwise good.

    The level always counts every active record (internal ones too); with
    `public_only` the explaining records shown are the public ones.
    """
    active = [r for r in records if credit_record_is_active(r, today)]
    kinds = {r.kind for r in active}
    if kinds & BLACKLIST_KINDS:
        level = Standing.BLACKLISTED
    elif kinds & CAUTION_KINDS:
        level = Standing.CAUTION
    else:
        level = Standing.GOOD
    shown = [r for r in active if r.is_public] if public_only else active
    shown.sort(key=lambda r: (r.occurred_on, r.pk or 0), reverse=True)
    return Standing(level=level, label=str(STANDING_LABELS[level]), records=shown)


def _records_of(subject, relation: str) -> list[CreditRecord]:
    records = getattr(subject, "prefetched_credit_records", None)
    if records is not None:
        return list(records)
    return list(CreditRecord.objects.filter(**{relation: subject}))


def worker_credit_standing(worker: Worker, *, public_only: bool = False, today=None) -> Standing:
    """The worker's credit standing, explained by its active records."""
    return standing_from_records(
        _records_of(worker, "worker"), today=today, public_only=public_only
    )


def agency_credit_standing(agency: Agency, *, public_only: bool = False, today=None) -> Standing:
    """The agency's credit standing, explained by its active records."""
    return standing_from_records(
        _records_of(agency, "agency"), today=today, public_only=public_only
    )


def worker_is_blacklisted(worker: Worker, *, today=None) -> bool:
    """Whether an active blacklisting record stands against the worker."""
    today = today or timezone.localdate()
    return (
        CreditRecord.objects.filter(worker=worker, kind=CreditRecord.Kind.BLACKLIST)
        .filter(active_credit_records_q(today))
        .exists()
    )


def blacklisted_worker_ids(*, today=None) -> QuerySet:
    """Ids of workers with an active blacklisting (for other apps' reconcilers)."""
    return (
        CreditRecord.objects.filter(kind=CreditRecord.Kind.BLACKLIST, worker__isnull=False)
        .filter(active_credit_records_q(today))
        .values_list("worker_id", flat=True)
    )


def worker_health_check_valid(worker: Worker, *, today=None) -> bool:
    today = today or timezone.localdate()
    return bool(worker.health_check_expiry and worker.health_check_expiry >= today)


# --- public lookups (always masked, see views) ---------------------------------

#: Filing states a household may see in the public trace lookup.
PUBLIC_WORKER_STATES = (FilingStatus.APPROVED, FilingStatus.WITHDRAWN)
PUBLIC_LOOKUP_LIMIT = 10


def _public_worker_queryset() -> QuerySet[Worker]:
    # One current filing per worker (a unique constraint): its status comes with the
    # row, through the join of the filter (the same filter() call, so one join).
    # The insurance dates are attached after (see worker_trace_lookup): as six
    # subquery annotations they cost 5-10 ms of query building per lookup.
    return (
        Worker.objects.filter(filings__is_current=True, filings__status__in=PUBLIC_WORKER_STATES)
        .annotate(public_filing_status=F("filings__status"))
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "employments",
                queryset=Employment.objects.select_related("agency").order_by("-start_date", "-pk"),
                to_attr="prefetched_employments",
            ),
            Prefetch("credit_records", to_attr="prefetched_credit_records"),
        )
    )


def worker_trace_lookup(
    *, card_number: str = "", name: str = "", id_last4: str = ""
) -> list[Worker]:
    """Registered workers matching a card number, or a full name plus the ID's last 4.

    Returns at most ``PUBLIC_LOOKUP_LIMIT`` workers with their filing status,
    employments (with agencies), credit records and insurance dates (what the
    door status needs), whatever the number of records: four queries for a
    hit, one for a miss.
    """
    card_number = (card_number or "").strip().upper()
    name = (name or "").strip()
    id_last4 = (id_last4 or "").strip().upper()
    qs = _public_worker_queryset()
    if card_number:
        qs = qs.filter(card_number=card_number)
    elif name and len(id_last4) == 4:
        qs = qs.filter(name=name, id_last4=id_last4)
    else:
        return []
    workers = list(qs.order_by("pk")[:PUBLIC_LOOKUP_LIMIT])
    if workers:
        dates = _insurance_dates(_worker_ids(workers), timezone.localdate())
        for worker in workers:
            _carry_insurance_dates(worker, dates.get(worker.pk, {}))
    return workers


def _carry_insurance_dates(worker: Worker, dates: dict) -> None:
    """Put the insurance dates the door status needs on a worker of the public lookup."""
    worker.door_insurance_until = dates.get("until")
    worker.door_insurance_ended = dates.get("ended")
    worker.door_insurance_starts = dates.get("starts")


def agency_credit_lookup(*, query: str) -> list[Agency]:
    """Agencies matching a credit code exactly, or a name (contains), with filed-worker counts."""
    query = (query or "").strip()
    if not query:
        return []
    code = normalize_credit_code(query)
    qs = Agency.objects.annotate(
        filed_workers=Count(
            "workers",
            filter=Q(
                workers__filings__is_current=True, workers__filings__status=FilingStatus.APPROVED
            ),
            distinct=True,
        )
    ).prefetch_related(Prefetch("credit_records", to_attr="prefetched_credit_records"))
    if len(code) == 18 and code.isalnum():
        qs = qs.filter(credit_code=code)
    elif len(query) >= 2:
        qs = qs.filter(name__icontains=query)
    else:
        return []
    return list(qs.order_by("name", "pk")[:PUBLIC_LOOKUP_LIMIT])


def agency_filed_worker_count(agency: Agency) -> int:
    if hasattr(agency, "filed_workers"):
        return agency.filed_workers
    return Worker.objects.filter(
        agency=agency, filings__is_current=True, filings__status=FilingStatus.APPROVED
    ).count()


# --- a worker's own record --------------------------------------------------


def worker_own_record(worker: Worker) -> Worker:
    """The worker with everything their /me/record/ page shows, prefetched."""
    return (
        Worker.objects.select_related("agency", "branch")
        .prefetch_related(
            Prefetch(
                "filings",
                queryset=Filing.objects.select_related("filing_agency").order_by("-pk"),
                to_attr="prefetched_filings",
            ),
            "prefetched_filings__transitions",
            "service_categories",
            Prefetch(
                "employments",
                queryset=Employment.objects.select_related(
                    "agency", "branch", "service_category"
                ).order_by("-start_date", "-pk"),
                to_attr="prefetched_employments",
            ),
            Prefetch("credit_records", to_attr="prefetched_credit_records"),
        )
        .get(pk=worker.pk)
    )


# --- household trust: insurance, door facts, visits, ratings --------------------
#
# `workers` below is a Worker queryset (used as a subquery, so a whole agency
# costs no more than one worker) or any iterable of workers or worker ids.


def _worker_ids(workers):
    if isinstance(workers, QuerySet):
        return workers.values("pk")
    return [w if isinstance(w, int) else w.pk for w in workers]


def insurances_of_worker(worker: Worker) -> list[Insurance]:
    return list(Insurance.objects.filter(worker=worker).order_by("-end_date", "-pk"))


def insurance_valid(worker: Worker, *, today=None) -> Insurance | None:
    """The insurance covering `today` that runs longest, or None."""
    today = today or timezone.localdate()
    return (
        Insurance.objects.filter(worker=worker, start_date__lte=today, end_date__gte=today)
        .order_by("-end_date", "-pk")
        .first()
    )


def insurance_expiry_for_workers(workers, *, today=None) -> dict:
    """{worker_id: end date of the insurance covering today (or the last one), or None}."""
    today = today or timezone.localdate()
    rows = (
        Insurance.objects.filter(worker_id__in=_worker_ids(workers), start_date__lte=today)
        .values("worker_id")
        .annotate(last_end=Max("end_date"))
    )
    found = {r["worker_id"]: r["last_end"] for r in rows}
    if isinstance(workers, QuerySet):
        ids = list(workers.values_list("pk", flat=True))
    else:
        ids = [w if isinstance(w, int) else w.pk for w in workers]
    return {pk: found.get(pk) for pk in ids}


def insurances_visible_to(user) -> QuerySet[Insurance]:
    qs = Insurance.objects.select_related("worker", "worker__agency", "entered_by")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


@dataclass(frozen=True)
class DoorFacts:
    """What the registry knows that decides a worker's door colour (dates, not verdicts)."""

    worker_id: int
    filing_status: str | None
    health_check_expiry: object  # date | None
    insurance_until: object  # end of the insurance covering today, or None
    insurance_ended: object  # end of the last insurance that ended before today, or None
    insurance_starts: object  # start of an insurance not begun yet, or None
    standing_level: str
    standing_label: str


def _insurance_dates(ids, today) -> dict[int, dict]:
    """{worker_id: {"until", "ended", "starts"}} from the workers' insurances, one query:
    the end of the insurance covering today, of the last one ended, the start of the next."""
    rows = Insurance.objects.filter(worker_id__in=ids).values_list(
        "worker_id", "start_date", "end_date"
    )
    insurance: dict[int, dict] = {}
    for worker_id, start, end in rows:
        item = insurance.setdefault(worker_id, {"until": None, "ended": None, "starts": None})
        if start <= today <= end:
            item["until"] = max(item["until"] or end, end)
        elif end < today:
            item["ended"] = max(item["ended"] or end, end)
        else:
            item["starts"] = min(item["starts"] or start, start)
    return insurance


def _annotated_for_door(workers) -> bool:
    """Workers from the public lookup carry everything the door facts need (no query)."""
    return (
        not isinstance(workers, QuerySet)
        and bool(workers)
        and all(
            isinstance(w, Worker)
            and hasattr(w, "door_insurance_until")
            and hasattr(w, "public_filing_status")
            and hasattr(w, "prefetched_credit_records")
            for w in workers
        )
    )


def door_facts_for_workers(workers, *, today=None) -> dict[int, DoorFacts]:
    """{worker_id: DoorFacts} for many workers in three queries, whatever their number
    (none for workers from the public lookup, which come annotated)."""
    today = today or timezone.localdate()
    if _annotated_for_door(workers):
        facts = {}
        for w in workers:
            standing = standing_from_records(w.prefetched_credit_records, today=today)
            facts[w.pk] = DoorFacts(
                worker_id=w.pk,
                filing_status=w.public_filing_status,
                health_check_expiry=w.health_check_expiry,
                insurance_until=w.door_insurance_until,
                insurance_ended=w.door_insurance_ended,
                insurance_starts=w.door_insurance_starts,
                standing_level=standing.level,
                standing_label=standing.label,
            )
        return facts
    ids = _worker_ids(workers)
    rows = list(
        Worker.objects.filter(pk__in=ids)
        .annotate(
            door_filing_status=Subquery(
                Filing.objects.filter(worker=OuterRef("pk"), is_current=True).values("status")[:1]
            )
        )
        .values_list("pk", "door_filing_status", "health_check_expiry")
    )
    insurance = _insurance_dates(ids, today)
    records: dict[int, list] = {}
    for record in CreditRecord.objects.filter(worker_id__in=ids).filter(
        active_credit_records_q(today)
    ):
        records.setdefault(record.worker_id, []).append(record)
    facts = {}
    for pk, filing_status, health_expiry in rows:
        standing = standing_from_records(records.get(pk, []), today=today)
        ins = insurance.get(pk, {})
        facts[pk] = DoorFacts(
            worker_id=pk,
            filing_status=filing_status,
            health_check_expiry=health_expiry,
            insurance_until=ins.get("until"),
            insurance_ended=ins.get("ended"),
            insurance_starts=ins.get("starts"),
            standing_level=standing.level,
            standing_label=standing.label,
        )
    return facts


def worker_door_facts(worker: Worker, *, today=None) -> DoorFacts | None:
    return door_facts_for_workers([worker.pk], today=today).get(worker.pk)


def worker_door_status(worker: Worker):
    """The door status of one worker from whichever app registered the hook, or None.

    The registry cannot compute the colour alone (certificates are a higher
    app); the certificates app registers ``registry_worker_door_status``.
    """
    statuses = workers_door_status([worker])
    return statuses.get(worker.pk) if statuses else None


def workers_door_status(workers) -> dict | None:
    """{worker_id: door status} through the ``registry_worker_door_status`` hook, or None."""
    from wagtail import hooks

    for fn in hooks.get_hooks("registry_worker_door_status"):
        return fn(workers)
    return None


# visits and ratings


def _ratings_counted_q(prefix: str = "") -> Q:
    # Stars count once a regulator approved the rating, even a rating without a comment
    # (approved on arrival, as it has no text to hide): one scan of a printed code must not
    # move a worker's public average (3.7 to 3.2) before anyone looked.
    return Q(
        **{
            f"{prefix}rating__status": VisitRating.Status.APPROVED,
            f"{prefix}rating__moderated_at__isnull": False,
        }
    )


def visit_summary_since(*, today=None):
    """The start of the public trace's window: the last 12 months."""
    today = today or timezone.localdate()
    return timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time.min)
    )


@dataclass(frozen=True)
class VisitSummary:
    visits: int
    rated: int
    average_rating: float | None


def visit_summary_for_workers(workers, *, since=None, today=None) -> dict[int, VisitSummary]:
    """{worker_id: VisitSummary} over the last 12 months, one query (no household data)."""
    since = since or visit_summary_since(today=today)
    rows = (
        ServiceVisit.objects.filter(worker_id__in=_worker_ids(workers), confirmed_at__gte=since)
        .values("worker_id")
        .annotate(**_visit_aggregates())
    )
    return {r["worker_id"]: _visit_summary(r["visits"], r["rated"], r["average"]) for r in rows}


def _visit_aggregates() -> dict:
    """What a visit summary counts over a worker's visits (of ``ServiceVisit`` rows)."""
    counted = _ratings_counted_q()
    return {
        "visits": Count("pk"),
        "rated": Count("pk", filter=counted),
        "average": Avg("rating__stars", filter=counted),
    }


def _visit_summary(visits: int, rated: int, average) -> VisitSummary:
    return VisitSummary(
        visits=visits,
        rated=rated,
        average_rating=round(average, 1) if average is not None else None,
    )


def worker_visit_summary(worker: Worker, *, today=None) -> VisitSummary:
    return visit_summary_for_workers([worker.pk], today=today).get(
        worker.pk, VisitSummary(visits=0, rated=0, average_rating=None)
    )


#: Approved comments shown per worker on the public trace.
PUBLIC_COMMENTS_SHOWN = 3


def public_comments_for_workers(
    workers, *, limit: int = PUBLIC_COMMENTS_SHOWN, today=None
) -> dict[int, list]:
    """{worker_id: latest approved comments (stars, service date, text)} — never who wrote them.

    One query; at most `limit` comments per worker.
    """
    rows = (
        _public_comments(visit_summary_since(today=today))
        .filter(visit__worker_id__in=_worker_ids(workers))
        .values("visit__worker_id", "stars", "comment", "visit__service_date")[:200]
    )
    found: dict[int, list] = {}
    for r in rows:
        items = found.setdefault(r["visit__worker_id"], [])
        if len(items) < limit:
            items.append(_public_comment(r["stars"], r["comment"], r["visit__service_date"]))
    return found


def _public_comments(since) -> QuerySet[VisitRating]:
    """Approved ratings with a comment, on visits confirmed since `since`, newest first."""
    return (
        VisitRating.objects.filter(
            visit__confirmed_at__gte=since, status=VisitRating.Status.APPROVED
        )
        .exclude(comment="")
        .order_by("-created_at", "-pk")
    )


def _public_comment(stars: int, comment: str, date) -> dict:
    return {"stars": stars, "comment": comment, "date": date}


def visit_counts(workers, since=None, until=None) -> dict:
    """{"visits": n, "average_rating": float | None} over `workers` (dashboards contract)."""
    qs = ServiceVisit.objects.filter(worker_id__in=_worker_ids(workers))
    if since is not None:
        qs = qs.filter(confirmed_at__gte=_aware(since))
    if until is not None:
        qs = qs.filter(confirmed_at__lt=_aware(until))
    row = qs.aggregate(
        visits=Count("pk"), average=Avg("rating__stars", filter=_ratings_counted_q())
    )
    average = row["average"]
    return {
        "visits": row["visits"],
        "average_rating": round(average, 1) if average is not None else None,
    }


def _aware(value):
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


@dataclass(frozen=True)
class VisitItem:
    """A visit as staff and the worker see it: the household only as a masked contact."""

    visit_id: int
    worker_id: int
    worker: Worker
    confirmed_at: datetime.datetime
    service_date: datetime.date
    district_label: str
    service_label: str
    scanned_via_label: str
    household_label: str
    rating: int | None
    comment: str
    rating_status: str


def _visit_item(visit: ServiceVisit) -> VisitItem:
    rating = getattr(visit, "rating", None) if _has_rating(visit) else None
    return VisitItem(
        visit_id=visit.pk,
        worker_id=visit.worker_id,
        worker=visit.worker,
        confirmed_at=visit.confirmed_at,
        service_date=visit.service_date,
        district_label=str(visit.get_district_display()),
        service_label=visit.service_category.name if visit.service_category_id else "",
        scanned_via_label=str(visit.get_scanned_via_display()),
        household_label=visit.household_label,
        rating=rating.stars if rating and rating.status != VisitRating.Status.REJECTED else None,
        # A comment shows only once a regulator approved it.
        comment=rating.comment if rating and rating.status == VisitRating.Status.APPROVED else "",
        rating_status=rating.status if rating else "",
    )


def _has_rating(visit: ServiceVisit) -> bool:
    try:
        return visit.rating is not None
    except VisitRating.DoesNotExist:
        return False


def _visit_queryset() -> QuerySet[ServiceVisit]:
    return ServiceVisit.objects.select_related("worker", "service_category", "rating").defer(
        "contact_encrypted", "worker__id_number_encrypted"
    )


def service_visits_of_worker(worker, *, limit: int = 200) -> list[VisitItem]:
    """A worker's visits, newest first (dashboards contract; the worker's own page)."""
    worker_id = worker if isinstance(worker, int) else worker.pk
    return [
        _visit_item(v)
        for v in _visit_queryset().filter(worker_id=worker_id).order_by("-confirmed_at")[:limit]
    ]


def latest_ratings(workers, limit: int = 8) -> list[VisitItem]:
    """The latest rated visits of `workers` (dashboards contract), one query."""
    qs = (
        _visit_queryset()
        .filter(worker_id__in=_worker_ids(workers), rating__isnull=False)
        .exclude(rating__status=VisitRating.Status.REJECTED)
        .order_by("-rating__created_at", "-pk")[:limit]
    )
    return [_visit_item(v) for v in qs]


def service_visits_visible_to(user) -> QuerySet[ServiceVisit]:
    qs = _visit_queryset().select_related("worker__agency")
    if user_sees_all_workers(user):
        return qs
    return qs.filter(worker__in=workers_visible_to(user).values("pk"))


def visit_ratings_visible_to(user) -> QuerySet[VisitRating]:
    qs = VisitRating.objects.select_related(
        "visit", "visit__worker", "visit__worker__agency", "visit__service_category", "moderated_by"
    )
    if user_sees_all_workers(user):
        return qs
    return qs.filter(visit__worker__in=workers_visible_to(user).values("pk"))


def ratings_awaiting_moderation(user) -> QuerySet[VisitRating]:
    """Ratings no regulator has decided yet, comment or not: their stars wait to count."""
    return visit_ratings_visible_to(user).filter(moderated_at__isnull=True)


def visit_for_rating_token(token: str) -> ServiceVisit | None:
    """The visit a one-time rating link belongs to, or None (unknown token)."""
    if not token or len(token) > 64:
        return None
    return (
        ServiceVisit.objects.select_related("worker", "service_category", "rating")
        .defer("contact_encrypted")
        .filter(rating_token_hash=lookup_hash(f"rating:{token}"))
        .first()
    )


def visit_has_rating(visit: ServiceVisit) -> bool:
    return _has_rating(visit)


def visits_since(*, since) -> QuerySet[ServiceVisit]:
    """Visits confirmed since `since` (for other apps' supervision rules)."""
    return ServiceVisit.objects.filter(confirmed_at__gte=since).only(
        "pk", "worker_id", "confirmed_at", "service_date"
    )


def district_choices() -> list[tuple[str, str]]:
    return list(District.choices)


def service_categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.order_by("sort_order", "code")


# --- the worker's own view ----------------------------------------------------------


@dataclass(frozen=True)
class FilingNotice:
    """What a signed-in worker whose filing is not yet approved is told on /me/."""

    status: str
    status_label: str
    reason: str
    missing: list[str]


def worker_filing_notice(worker: Worker, *, today=None) -> FilingNotice | None:
    """None once the worker's filing is approved; else its state, the reviewer's words, and gaps.

    Workers may sign in and study before approval; exams wait for it. The gaps
    are what a worker can ask their agency to complete.
    """
    filing = worker_filing(worker)
    if filing is not None and filing.status == FilingStatus.APPROVED:
        return None
    today = today or timezone.localdate()
    missing = []
    if not worker.photo:
        missing.append(_("本人照片"))
    if not worker_health_check_valid(worker, today=today):
        missing.append(_("有效的体检证明"))
    if not worker.service_categories.exists():
        missing.append(_("服务类别"))
    if filing is None:
        return FilingNotice("", _("未提交备案"), "", missing)
    return FilingNotice(filing.status, filing.get_status_display(), filing.reason, missing)
