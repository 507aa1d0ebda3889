"""Every URL that names an object answers for another agency's, district's or worker's
object exactly as for one that does not exist: a 404, or, for a user who may not use
that screen at all, the same refusal whatever the id (so the answer tells nothing).

The test walks every URL pattern of the project (the admin's included). Each
one that takes a parameter is either checked here, with a foreign object and a
signed-in user of the other side (agency staff and a district regulator past
the second factor, or a worker), or listed in NOT_SCOPED with the reason it
names nothing of one agency. A new pattern fails the test until it is placed.
"""

from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest

from dashboards.models import ExportJob, SupervisionWarning
from registry.models import CardBatch, District, Filing, RosterImport, TransferRequest, VisitRating
from tests.courses.factories import EnrolmentFactory
from tests.dashboards.factories import CertificateFactory
from tests.exams.factories import AccommodationFactory, AttemptFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import (
    AgencyFactory,
    AgencyStaffFactory,
    ApprovedWorkerFactory,
    CreditRecordFactory,
    RegulatorFactory,
)
from tests.trust import factories as trust

pytestmark = pytest.mark.django_db

# Namespaces (or namespace:name) whose parameters name no agency's object.
NOT_SCOPED = {
    "api": "the JSON API: tests/lms/test_api_schemathesis.py and tests/exams/test_api.py",
    "accounts:password_reset_confirm": "a one-time token for one account",
    "registry:visit_rate": "a household's one-time rating token",
    "complaints:new_for_visit": "a household's one-time rating token",
    "registry:worker_lookup": "a public lookup page's form (the page, not an agency's object)",
    "registry:agency_lookup": "a public lookup page's form (the page, not an agency's object)",
    "certificates:lookup": "a public lookup page's form (the page, not an agency's object)",
    "certificates:verify": "a public certificate token (every unknown token is the same 404)",
    "certificates:verify_photo": "a public certificate token",
    "certificates:verify_live": "a public, short-lived door code",
    "certificates:confirm": "a public certificate token",
    "certificates:credential": "a public certificate token",
    "certificates:credential_achievement": "a public certificate type code",
    "certificates:credential_status_list": "the public revocation list",
    "exams:detail": "exams are shared course content; eligibility is checked on start",
    "exams:start": "exams are shared course content; eligibility is checked on start",
    "courses:enrol": "courses are shared course content",
    "dashboards_admin:report_month": "city-wide monthly reports; a district sees its part",
    "dashboards_admin:report_file": "city-wide monthly reports; a district sees its part",
    "certificates_type": "certificate types are shared content (editors)",
    "certificates_batch": "bulk jobs of the certificate issuers, city-wide",
    "exams_exam": "shared exam content (editors)",
    "exams_question": "shared exam content (editors)",
    "exams_category": "shared exam content (editors)",
    "wagtailsnippetchoosers_exams_exam": "shared exam content (editors)",
    "wagtailsnippetchoosers_exams_question": "shared exam content (editors)",
    "wagtailsnippetchoosers_exams_questioncategory": "shared exam content (editors)",
    "wagtail_serve": "public CMS pages",
    "consent:seen": "a public certificate token (the scan beacon answers alike for every token)",
    "consent": "a worker's own requests, grants and views: tests/consent/test_access_refused.py",
    "consent_admin": "a staff account's own requests and grants: tests/consent/test_access_refused.py",
    "partners_admin": "partner systems are city-wide, for city regulators only (tests/partners)",
    "partner_systems": "partner systems are city-wide, for city regulators only (tests/partners)",
    "partner_calls": "the partner call log is city-wide, for city regulators only (tests/partners)",
}
# Wagtail's own screens: pages, media, users, sites, workflows (editors and admins).
WAGTAIL_CORE = ("wagtail",)
MEDIA = "media/"


def patterns(resolver=None, prefix="", namespaces=()):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            more = (entry.namespace,) if entry.namespace else ()
            yield from patterns(entry, prefix + str(entry.pattern), namespaces + more)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespaces, entry.name or ""


def parametrised():
    for route, namespaces, name in patterns():
        if "<" in route or "(?P" in route:
            yield route, ":".join(namespaces), name


def not_scoped(route, namespace, name):
    full = f"{namespace}:{name}" if namespace else name
    if full in NOT_SCOPED or namespace in NOT_SCOPED:
        return True
    return route.startswith(MEDIA) or (namespace or name).startswith(WAGTAIL_CORE)


class World:
    """Agency A (徐汇) with its staff, regulator and worker; agency B (浦东) owns everything else."""

    def __init__(self):
        self.home = AgencyFactory(district=District.XUHUI)
        self.other = AgencyFactory(district=District.PUDONG)
        self.staff = AgencyStaffFactory(agency=self.home).user
        self.regulator = RegulatorFactory(district=District.XUHUI).user
        self.worker = ApprovedWorkerFactory(agency=self.home, user=WorkerUserFactory())
        self.their_worker = ApprovedWorkerFactory(agency=self.other, user=WorkerUserFactory())
        self.other_user = AgencyStaffFactory(agency=self.other).user

    # Foreign objects, one builder per model.
    def agency(self):
        return self.other

    def worker_(self):
        return self.their_worker

    def filing(self):
        return Filing.objects.get(worker=self.their_worker, is_current=True)

    def credit(self):
        return CreditRecordFactory(worker=self.their_worker)

    def certificate(self):
        return CertificateFactory(worker=self.their_worker, agency=self.other)

    def attempt(self):
        return AttemptFactory(worker=self.their_worker)

    def accommodation(self):
        return AccommodationFactory(worker=self.their_worker)

    def insurance(self):
        return trust.insurance(self.their_worker)

    def visit(self):
        return trust.visit(self.their_worker, district=District.PUDONG)[0]

    def rating(self):
        return VisitRating.objects.create(visit=self.visit(), stars=4)

    def card_batch(self):
        return CardBatch.objects.create(agency=self.other, issued_by=self.other_user)

    def roster(self):
        return RosterImport.objects.create(
            agency=self.other, uploaded_by=self.other_user, file="registry/rosters/b.xlsx"
        )

    def export(self):
        return ExportJob.objects.create(user=self.other_user, format="csv")

    def warning(self):
        return SupervisionWarning.objects.create(
            rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS,
            subject_key="foreign",
            subject_label="乙",
            district=District.PUDONG,
            agency=self.other,
        )

    def transfer(self):
        return TransferRequest.objects.create(
            worker=self.their_worker, agency=self.other, requested_by=self.other_user
        )

    def enrolment(self):
        return EnrolmentFactory(worker=self.their_worker)

    def station(self):
        from tests.sittings.factories import StationFactory

        return StationFactory(district=District.PUDONG)

    def sitting(self):
        from tests.sittings.factories import SittingFactory

        return SittingFactory(station=self.station())

    def complaint(self):
        from complaints.models import Complaint
        from tests.complaints.factories import complaint

        # One household number each: a number may file only a few a day.
        phone = f"1390000{Complaint.objects.count():04d}"
        return complaint(card_number=self.their_worker.card_number, phone=phone)


STAFF = ("staff", "regulator")
WORKER = ("worker",)
# namespace (all its object views) or namespace:name -> (who asks, builder)
SCOPED = {
    "registry_worker": (STAFF, "worker_"),
    "registry_filing": (STAFF, "filing"),
    "registry_agency": (STAFF, "agency"),
    "registry_creditrecord": (STAFF, "credit"),
    "registry_roster": (STAFF, "roster"),
    "registry_cardbatch": (STAFF, "card_batch"),
    "registry_insurance": (STAFF, "insurance"),
    "registry_servicevisit": (STAFF, "visit"),
    "registry_visitrating": (STAFF, "rating"),
    "certificates_certificate": (STAFF, "certificate"),
    "exams_attempt": (STAFF, "attempt"),
    "exams_accommodation": (STAFF, "accommodation"),
    "registry_admin:worker_detail": (STAFF, "worker_"),
    "registry_admin:worker_edit": (STAFF, "worker_"),
    "registry_admin:worker_action": (STAFF, "worker_"),
    "registry_admin:filing_review": (STAFF, "filing"),
    "registry_admin:batch_detail": (STAFF, "card_batch"),
    "registry_admin:credit_expire": (STAFF, "credit"),
    "registry_admin:roster_detail": (STAFF, "roster"),
    "registry_admin:roster_errors": (STAFF, "roster"),
    "registry_admin:rating_moderate": (STAFF, "rating"),
    "dashboards_admin:worker": (STAFF, "worker_"),
    "dashboards_admin:export": (STAFF, "export"),
    "dashboards_admin:supervision_district": (STAFF, None),
    "dashboards_admin:supervision_agency": (STAFF, "agency"),
    "dashboards_admin:warning": (STAFF, "warning"),
    "complaints_admin:detail": (STAFF, "complaint"),
    "complaints_admin:photo": (STAFF, "complaint"),
    "complaints_admin:photo_thumb": (STAFF, "complaint"),
    "complaints_admin:agency_answer": (STAFF, "complaint"),
    "sittings_admin": (STAFF, "sitting"),
    "sittings_station": (STAFF, "station"),
    "sittings_sitting": (STAFF, "sitting"),
    "exams:attempt": (WORKER, "attempt"),
    "exams:submit": (WORKER, "attempt"),
    "exams:result": (WORKER, "attempt"),
    "certificates:my_pdf": (WORKER, "certificate"),
    "certificates:my_card": (WORKER, "certificate"),
    "certificates:my_credential": (WORKER, "certificate"),
    "certificates:my_credential_card": (WORKER, "certificate"),
    "registry:my_transfer_answer": (WORKER, "transfer"),
    "courses:lesson_done": (WORKER, "enrolment"),
    "courses:lesson_progress": (WORKER, "enrolment"),
}
# Values for parameters other than the object's id.
OTHER_ARGS = {
    "action": "withdraw",
    "fmt": "pdf",
    "kind": "pdf",
    "answer": "accept",
    "lesson_id": 1,
    "photo_pk": 1,
    "booking_id": 1,
}


def placement(namespace, name):
    return SCOPED.get(f"{namespace}:{name}") or SCOPED.get(namespace)


def test_every_parametrised_pattern_is_checked_or_explained():
    unplaced = [
        f"{namespace}:{name} {route}"
        for route, namespace, name in parametrised()
        if not placement(namespace, name) and not not_scoped(route, namespace, name)
    ]
    assert unplaced == []


MISSING_ID = 987654


def url_for(world, namespace, name, route, builder, *, missing=False):
    kwargs = {}
    for key in OTHER_ARGS:
        if f":{key}>" in route:
            kwargs[key] = OTHER_ARGS[key]
    if builder is None:
        kwargs["code"] = District.PUDONG
    else:
        pk = MISSING_ID if missing else getattr(world, builder)().pk
        key = next(
            k for k in ("pk", "attempt_id", "enrolment_id", "sitting_id") if f":{k}>" in route
        )
        kwargs[key] = quote(pk) if key == "pk" else pk
    return reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs)


def ask(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response.status_code, response.get("Location")


def test_foreign_objects_are_404_everywhere(login_staff, login_worker):
    world = World()
    clients = {
        "staff": login_staff(Client(), world.staff),
        "regulator": login_staff(Client(), world.regulator),
        "worker": login_worker(Client(), world.worker.user),
    }
    answers = []
    for route, namespace, name in parametrised():
        place = placement(namespace, name)
        if not place:
            continue
        who, builder = place
        url = url_for(world, namespace, name, route, builder)
        missing = url_for(world, namespace, name, route, builder, missing=True)
        for actor in who:
            answer = ask(clients[actor], url)
            if answer[0] != 404 and (answer[0] == 200 or answer != ask(clients[actor], missing)):
                answers.append((actor, url, *answer))
    assert answers == [], "\n".join(map(str, answers))


def test_a_district_regulator_gets_404_not_the_second_factor_for_another_district(login_staff):
    regulator = RegulatorFactory(district=District.XUHUI).user
    client = login_staff(Client(), regulator)
    url = reverse("dashboards_admin:supervision_district", args=[District.PUDONG])
    assert client.get(url).status_code == 404
