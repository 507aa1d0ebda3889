"""The staff screens: who may open a sitting, booking from the seat list, the live view and
its JSON, the proctor's actions and the regulator's report."""

import pytest

from exams.models import Attempt
from sittings import services
from sittings.models import Booking
from tests.lms.factories import StaffUserFactory, WorkerUserFactory
from tests.registry.factories import AgencyFactory, ApprovedWorkerFactory
from tests.sittings.factories import STATION_ADDRESS, BookingFactory, SittingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_proctor(client, login_staff, proctor):
    return login_staff(client, proctor)


@pytest.fixture
def started(sitting, proctor):
    BookingFactory(sitting=sitting, worker=ApprovedWorkerFactory(user=WorkerUserFactory()))
    BookingFactory(sitting=sitting)
    [(_b, code), _second] = services.tickets_issue(sitting=sitting, user=proctor)
    return services.ticket_redeem(code=code, client_ip=STATION_ADDRESS)


def test_a_proctor_sees_only_their_own_sittings(client, login_staff, sitting, other_proctor):
    login_staff(client, other_proctor)
    for path in ("live/", "live.json", "seats/", "report/", "results.xlsx"):
        assert client.get(f"/admin/sittings/{sitting.pk}/{path}").status_code == 404
    assert sitting.exam.title not in client.get("/admin/sittings/").content.decode()


def test_staff_without_the_second_factor_are_sent_to_it(client, sitting, proctor):
    client.force_login(proctor)
    response = client.get(f"/admin/sittings/{sitting.pk}/live/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_a_worker_is_kept_out(client, login_worker, started, sitting):
    login_worker(client, started.worker.user)
    assert client.get(f"/admin/sittings/{sitting.pk}/live.json").status_code in (302, 404)


def test_the_live_view_and_its_json(as_proctor, sitting, started):
    page = as_proctor.get(f"/admin/sittings/{sitting.pk}/live/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "sittings/live.js" in html and "<script>" not in html
    assert started.worker.name not in html and started.worker.masked_name in html
    data = as_proctor.get(f"/admin/sittings/{sitting.pk}/live.json").json()
    assert data["summary"]["in_progress"] == 1 and data["summary"]["waiting"] == 1
    seat = next(s for s in data["seats"] if s["id"] == started.pk)
    assert seat["state"] == "in_progress" and seat["questions"] == 5
    assert 0 < seat["seconds_left"] <= 30 * 60


def test_the_live_view_is_a_constant_number_of_queries(
    as_proctor, sitting, started, django_assert_max_num_queries
):
    for _ in range(10):
        BookingFactory(sitting=sitting)
    with django_assert_max_num_queries(12):
        as_proctor.get(f"/admin/sittings/{sitting.pk}/live.json")


def test_the_proctor_extends_pauses_and_ends_from_the_live_view(as_proctor, sitting, started):
    base = f"/admin/sittings/{sitting.pk}/seats/{started.pk}"
    before = Attempt.objects.get(pk=started.attempt_id).deadline
    response = as_proctor.post(f"{base}/extend/", {"minutes": "5", "reason": "键盘坏了"})
    assert response.status_code == 302
    attempt = Attempt.objects.get(pk=started.attempt_id)
    assert (attempt.deadline - before).total_seconds() == 300
    as_proctor.post(f"{base}/pause/", {"reason": "停电"})
    assert Attempt.objects.get(pk=started.attempt_id).paused_at is not None
    assert (
        as_proctor.get(f"/admin/sittings/{sitting.pk}/live.json").json()["summary"]["paused"] == 1
    )
    as_proctor.post(f"{base}/resume/")
    as_proctor.post(f"{base}/end/", {"reason": "夹带"})
    attempt = Attempt.objects.get(pk=started.attempt_id)
    assert attempt.ended_reason == "夹带" and attempt.passed is False


@pytest.mark.parametrize(
    "action, data",
    [
        ("extend", {"minutes": "abc", "reason": "x"}),
        ("extend", {"minutes": "999", "reason": "x"}),
        ("extend", {"minutes": "5"}),
        ("end", {}),
        ("explode", {}),
    ],
)
def test_bad_actions_are_messages_not_500s(as_proctor, sitting, started, action, data):
    response = as_proctor.post(
        f"/admin/sittings/{sitting.pk}/seats/{started.pk}/{action}/", data, follow=True
    )
    assert response.status_code == 200
    attempt = Attempt.objects.get(pk=started.attempt_id)
    assert attempt.status == Attempt.Status.IN_PROGRESS and not attempt.ended_reason


def test_a_proctor_cannot_book(as_proctor, sitting):
    worker = ApprovedWorkerFactory()
    response = as_proctor.post(
        f"/admin/sittings/{sitting.pk}/seats/",
        {"action": "card", "card_number": worker.card_number},
    )
    assert response.status_code in (302, 403)  # Wagtail sends a refused user to the admin home
    assert not Booking.objects.filter(worker=worker).exists()


def test_a_regulator_books_by_card_and_from_an_agency_list(client, login_staff, regulator, sitting):
    login_staff(client, regulator)
    worker = ApprovedWorkerFactory()
    url = f"/admin/sittings/{sitting.pk}/seats/"
    client.post(url, {"action": "card", "card_number": worker.card_number})
    assert Booking.objects.filter(sitting=sitting, worker=worker).exists()
    missing = client.post(url, {"action": "card", "card_number": "NOPE"})
    assert "没有找到" in missing.content.decode()
    agency = AgencyFactory()
    listed = ApprovedWorkerFactory.create_batch(2, agency=agency)
    page = client.get(url, {"agency": agency.pk}).content.decode()
    assert all(w.masked_name in page for w in listed)
    response = client.post(
        url,
        {"action": "agency", "worker": [listed[0].pk, listed[1].pk, worker.pk]},
        follow=True,
    )
    assert Booking.objects.filter(sitting=sitting).count() == 3
    assert "已预约了本场考试" in response.content.decode()  # the one booked before


def test_a_district_regulator_sees_only_their_districts_stations(client, login_staff, sitting):
    from lms.accounts.roles import Role
    from registry.services.staff import regulator_profile_set

    district = StaffUserFactory(roles=[Role.DISTRICT_REGULATOR])
    regulator_profile_set(user=district, district="pudong")
    login_staff(client, district)
    assert client.get(f"/admin/sittings/{sitting.pk}/seats/").status_code == 404
    pudong = SittingFactory(station__district="pudong")
    assert client.get(f"/admin/sittings/{pudong.pk}/seats/").status_code == 200


def test_the_report_counts_attendance_no_shows_pass_rate_and_incidents(
    as_proctor, sitting, started, proctor
):
    services.seat_extend(booking=started, minutes=3, reason="网络中断", user=proctor)
    services.seat_end(booking=started, reason="夹带", user=proctor)
    page = as_proctor.get(f"/admin/sittings/{sitting.pk}/report/").content.decode()
    assert "网络中断" in page and "夹带" in page
    from sittings.selectors import sitting_report

    report = sitting_report(sitting)
    assert (report.booked, report.attended, report.no_shows) == (2, 1, 1)
    assert (report.finished, report.passed, report.pass_rate) == (1, 0, 0)
    assert [i.kind for i in report.incidents] == ["extend", "end"]


def test_the_admin_lists_stations_and_sittings(client, login_staff, regulator, sitting):
    login_staff(client, regulator)
    assert sitting.station.name in client.get("/admin/sittings/stations/").content.decode()
    assert client.get("/admin/sittings/sittings/").status_code == 200
    assert client.get(f"/admin/sittings/sittings/edit/{sitting.pk}/").status_code == 200
