"""Without a grant of its own nobody sees the full record: another browser, a forged or foreign
cookie, another worker, another agency account; consent widens nothing outside the grant."""

import pytest

from consent.models import ConsentGrant, ConsentRequest
from registry.selectors.access import workers_visible_to
from tests.consent.conftest import granted
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import AgencyStaffFactory, ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


def _no_cookie(client, **_):
    return client


def _forged_cookie(client, **_):
    client.cookies["consent_grant"] = "A" * 43
    return client


def _request_cookie_only(client, household, **_):
    # The household's expired request secret is not a grant.
    client.cookies["consent_request"] = "whatever"
    return client


def _another_worker_signed_in(client, login_worker, **_):
    other = ApprovedWorkerFactory(user=WorkerUserFactory())
    return login_worker(client, other.user)


def _the_worker_themself(client, login_worker, worker, **_):
    return login_worker(client, worker.user)


def _withdrawn_grant_cookie(client, household, worker_client, **_):
    token = household.cookies["consent_grant"].value
    grant = ConsentGrant.objects.get()
    worker_client.post(f"/me/views/grants/{grant.pk}/withdraw/")
    client.cookies["consent_grant"] = token
    return client


@pytest.mark.parametrize(
    "who",
    [
        _no_cookie,
        _forged_cookie,
        _request_cookie_only,
        _another_worker_signed_in,
        _the_worker_themself,
        _withdrawn_grant_cookie,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_nobody_without_their_own_grant_sees_the_record(
    who, household, worker_client, certificate, worker, client, login_worker
):
    granted(household, worker_client, certificate)
    visitor = who(
        client.__class__(),
        household=household,
        worker_client=worker_client,
        login_worker=login_worker,
        worker=worker,
    )
    for path in ("/consent/record/", "/consent/record/photo/"):
        response = visitor.get(path)
        assert response.status_code in (200, 404)
        assert "王丽华" not in response.content.decode(errors="replace")


def test_another_agency_account_gets_404_for_the_grant_and_the_request(
    worker, worker_client, agency_staff, login_staff, client
):
    asking = login_staff(client.__class__(), agency_staff)
    asking.post("/admin/consent/", {"card_number": worker.card_number})
    consent_request = ConsentRequest.objects.get()
    worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 1}
    )
    grant = consent_request.grant
    other = login_staff(client.__class__(), AgencyStaffFactory().user)
    for path in (
        f"/admin/consent/grants/{grant.pk}/",
        f"/admin/consent/grants/{grant.pk}/photo/",
        f"/admin/consent/requests/{consent_request.pk}/",
        f"/admin/consent/requests/{consent_request.pk}/status/",
    ):
        assert other.get(path).status_code == 404
    # Even a colleague of the asking agency: the grant is the asking account's.
    colleague = AgencyStaffFactory(agency=agency_staff.agency_staff.agency).user
    assert (
        login_staff(client.__class__(), colleague)
        .get(f"/admin/consent/grants/{grant.pk}/")
        .status_code
        == 404
    )
    # After withdrawal the asking account gets 404 too.
    worker_client.post(f"/me/views/grants/{grant.pk}/withdraw/")
    assert asking.get(f"/admin/consent/grants/{grant.pk}/").status_code == 404


def test_consent_does_not_widen_what_the_agency_sees_elsewhere(
    worker, worker_client, agency_staff, login_staff, client
):
    asking = login_staff(client.__class__(), agency_staff)
    asking.post("/admin/consent/", {"card_number": worker.card_number})
    consent_request = ConsentRequest.objects.get()
    worker_client.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 168}
    )
    assert not workers_visible_to(agency_staff).filter(pk=worker.pk).exists()
    assert asking.get(f"/admin/registry/worker/edit/{worker.pk}/").status_code in (302, 403, 404)


def test_a_worker_cannot_answer_or_withdraw_anothers(household, certificate, client, login_worker):
    from tests.consent.conftest import ask

    ask(household, certificate)
    consent_request = ConsentRequest.objects.get()
    other = login_worker(client, ApprovedWorkerFactory(user=WorkerUserFactory()).user)
    other.post(
        f"/me/consent/requests/{consent_request.pk}/answer/", {"answer": "approve", "hours": 1}
    )
    assert not ConsentGrant.objects.exists()
    consent_request.refresh_from_db()
    assert consent_request.status == ConsentRequest.Status.PENDING
