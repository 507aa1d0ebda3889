"""Agency staff enrol their own workers in bulk from the Wagtail admin, and nobody else's."""

from django.urls import reverse

import pytest

from courses.models import Enrolment
from tests.courses.factories import CoursePageFactory, mark_course_completed
from tests.lms.factories import StaffUserFactory, UserFactory
from tests.registry.factories import AgencyStaffFactory, BranchFactory, WorkerFactory

pytestmark = pytest.mark.django_db

URL = reverse("courses_bulk_enrol")


@pytest.fixture
def staff(db):
    return AgencyStaffFactory()


@pytest.fixture
def own_workers(staff):
    return WorkerFactory.create_batch(3, agency=staff.agency)


@pytest.fixture
def foreign_worker(db):
    return WorkerFactory()


def test_staff_sees_only_their_agencys_workers(
    client, login_staff, staff, own_workers, foreign_worker, course
):
    login_staff(client, staff.user)
    response = client.get(URL, {"course": course.pk})
    html = response.content.decode()
    assert response.status_code == 200
    for worker in own_workers:
        assert worker.name in html
    assert foreign_worker.name not in html


def test_staff_enrols_ticked_workers(client, login_staff, staff, own_workers, course):
    login_staff(client, staff.user)
    response = client.post(
        URL,
        {
            "course": course.pk,
            "worker": [own_workers[0].pk, own_workers[1].pk],
            "scope": "selected",
        },
    )
    assert response.status_code == 302
    enrolled = set(Enrolment.objects.filter(course=course).values_list("worker_id", flat=True))
    assert enrolled == {own_workers[0].pk, own_workers[1].pk}
    assert set(Enrolment.objects.filter(course=course).values_list("enrolled_by", flat=True)) == {
        staff.user.pk
    }


def test_a_forged_foreign_worker_id_is_ignored(
    client, login_staff, staff, own_workers, foreign_worker, course
):
    login_staff(client, staff.user)
    client.post(
        URL,
        {
            "course": course.pk,
            "worker": [own_workers[0].pk, foreign_worker.pk],
            "scope": "selected",
        },
    )
    assert not Enrolment.objects.filter(worker=foreign_worker).exists()
    assert Enrolment.objects.filter(worker=own_workers[0]).exists()


def test_enrol_all_matching_the_filter(
    client, login_staff, staff, own_workers, foreign_worker, course
):
    branch = BranchFactory(agency=staff.agency)
    for worker in own_workers[:2]:
        worker.branch = branch
        worker.save(update_fields=["branch"])
    login_staff(client, staff.user)
    response = client.post(
        URL, {"course": course.pk, "branch": branch.pk, "scope": "all"}, follow=True
    )
    enrolled = set(Enrolment.objects.filter(course=course).values_list("worker_id", flat=True))
    assert enrolled == {own_workers[0].pk, own_workers[1].pk}
    assert "已为 2 名学员报名" in response.content.decode()
    again = client.post(
        URL, {"course": course.pk, "branch": branch.pk, "scope": "all"}, follow=True
    )
    assert "2 名学员之前已报名" in again.content.decode()
    assert Enrolment.objects.filter(course=course).count() == 2


def test_staff_limited_to_a_branch_enrols_only_that_branch(client, login_staff, course):
    branch = BranchFactory()
    staff = AgencyStaffFactory(agency=branch.agency, branch=branch)
    inside = WorkerFactory(agency=branch.agency, branch=branch)
    outside = WorkerFactory(agency=branch.agency)
    login_staff(client, staff.user)
    client.post(URL, {"course": course.pk, "scope": "all"})
    assert set(Enrolment.objects.filter(course=course).values_list("worker_id", flat=True)) == {
        inside.pk
    }
    assert not Enrolment.objects.filter(worker=outside).exists()


def test_filter_by_status_shows_who_is_not_yet_enrolled(
    client, login_staff, staff, own_workers, course
):
    mark_course_completed(own_workers[0], course)
    login_staff(client, staff.user)
    html = client.get(URL, {"course": course.pk, "status": "not_enrolled"}).content.decode()
    assert own_workers[0].name not in html and own_workers[1].name in html
    html = client.get(URL, {"course": course.pk, "status": "completed"}).content.decode()
    assert own_workers[0].name in html and own_workers[1].name not in html


def test_missing_prerequisites_are_reported_not_enrolled(
    client, login_staff, staff, own_workers, course, course_index
):
    advanced = CoursePageFactory(parent=course_index, title="母婴护理专项")
    advanced.prerequisites.add(course)
    advanced.save()
    mark_course_completed(own_workers[0], course)
    login_staff(client, staff.user)
    response = client.post(URL, {"course": advanced.pk, "scope": "all"}, follow=True)
    html = response.content.decode()
    assert "已为 1 名学员报名" in html and "2 名学员未能报名" in html and "上门服务证培训" in html
    assert list(Enrolment.objects.filter(course=advanced).values_list("worker_id", flat=True)) == [
        own_workers[0].pk
    ]


def test_people_without_the_permission_are_refused(client, login_staff, course):
    login_staff(client, StaffUserFactory())
    response = client.get(URL)
    # The Wagtail admin turns PermissionDenied into a redirect to its dashboard.
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_staff_without_second_factor_is_sent_to_verify(client, staff):
    client.force_login(staff.user)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


def test_menu_item_shows_for_agency_staff(client, login_staff, staff):
    login_staff(client, staff.user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert URL in html


def test_a_worker_login_cannot_reach_the_screen(client, login_worker):
    login_worker(client, UserFactory())
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert not Enrolment.objects.exists()
