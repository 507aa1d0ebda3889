"""Issue #21 item 18: a district's page counts that district's open warnings.

A city regulator opening one district's statistics saw the city-wide count of
open warnings; its link opened the city-wide list.
"""

from django.urls import reverse
from django.utils import timezone

import pytest

from dashboards.models import SupervisionWarning
from registry.models import District

pytestmark = pytest.mark.django_db


def warning(district: str, *, agency=None, status=SupervisionWarning.Status.OPEN, n=[0]):  # noqa: B006
    n[0] += 1
    return SupervisionWarning.objects.create(
        rule=SupervisionWarning.Rule.AGENCY_COMPLAINTS,
        subject_key=f"test:{n[0]}",
        subject_label=f"对象 {n[0]}",
        district=district,
        agency=agency,
        status=status,
        resolved_at=timezone.now() if status == SupervisionWarning.Status.RESOLVED else None,
    )


@pytest.fixture
def warnings(agency, other_agency):
    """Xuhui: two open (one of them acknowledged) and one resolved; Pudong: three open."""
    warning(District.XUHUI, agency=agency)
    warning(District.XUHUI, status=SupervisionWarning.Status.ACKNOWLEDGED)
    warning(District.XUHUI, agency=agency, status=SupervisionWarning.Status.RESOLVED)
    for _ in range(3):
        warning(District.PUDONG, agency=other_agency)


def test_city_regulator_on_a_district_page_sees_that_districts_count(
    client, login_staff, city_regulator, warnings
):
    login_staff(client, city_regulator)
    city = client.get(reverse("dashboards_admin:supervision"))
    assert city.context["open_warnings"] == 5
    xuhui = client.get(reverse("dashboards_admin:supervision_district", args=[District.XUHUI]))
    assert xuhui.context["open_warnings"] == 2
    assert "未解决预警 2 条" in xuhui.content.decode()
    pudong = client.get(reverse("dashboards_admin:supervision_district", args=[District.PUDONG]))
    assert pudong.context["open_warnings"] == 3


def test_the_count_links_to_the_same_list(client, login_staff, city_regulator, warnings):
    login_staff(client, city_regulator)
    page = client.get(reverse("dashboards_admin:supervision_district", args=[District.XUHUI]))
    listed = client.get(page.context["warnings_url"])
    assert listed.context["page_obj"].paginator.count == page.context["open_warnings"] == 2


def test_an_agency_page_counts_the_agencys_warnings(
    client, login_staff, city_regulator, warnings, agency
):
    login_staff(client, city_regulator)
    page = client.get(reverse("dashboards_admin:supervision_agency", args=[agency.pk]))
    assert page.context["open_warnings"] == 1


def test_a_district_regulator_still_sees_only_their_district(
    client, login_staff, district_regulator, warnings
):
    login_staff(client, district_regulator)
    listed = client.get(reverse("dashboards_admin:warnings") + f"?district={District.PUDONG}")
    assert listed.context["page_obj"].paginator.count == 0
