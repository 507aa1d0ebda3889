"""City regulators manage partner systems and read their call log in the admin (behind the
second factor); district regulators and agency staff do not even see them."""

import csv
import io

from django.test import Client

import pytest

from partners.models import Partner, PartnerCall, PartnerCredential
from partners.services import partner_call_record
from tests.partners.conftest import PartnerFactory, exchange
from tests.registry.factories import AgencyFactory, AgencyStaffFactory, RegulatorFactory

pytestmark = pytest.mark.django_db

SYSTEMS = "/admin/partners/systems/"
CALLS = "/admin/partners/calls/"


@pytest.fixture
def city(login_staff):
    return login_staff(Client(), RegulatorFactory(district="").user)


@pytest.mark.parametrize("who", ["district", "agency"])
def test_others_are_kept_out(who, login_staff):
    user = RegulatorFactory().user if who == "district" else AgencyStaffFactory().user
    client = login_staff(Client(), user)
    partner = PartnerFactory()
    for url in (
        SYSTEMS,
        f"{SYSTEMS}edit/{partner.pk}/",
        CALLS,
        f"/admin/partners/{partner.pk}/credentials/",
    ):
        assert client.get(url).status_code in (302, 403), url
    assert "合作系统" not in client.get("/admin/").content.decode()


def test_without_the_second_factor_nothing_opens():
    client = Client()
    client.force_login(RegulatorFactory(district="").user)
    assert client.get(SYSTEMS).status_code == 302


def test_a_city_regulator_registers_an_agency_system(city):
    agency = AgencyFactory()
    form = {
        "name": "某企业自有系统",
        "kind": "agency",
        "agency": agency.pk,
        "contact_name": "王工",
        "scope": ["workers:read", "workers:write"],
        "allowed_networks": "10.1.2.3\n10.2.0.0/16",
        "rate_per_minute": 60,
        "is_active": "on",
    }
    response = city.post(f"{SYSTEMS}new/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    partner = Partner.objects.get(name="某企业自有系统")
    assert partner.scope == "workers:read workers:write"
    assert partner.allowed_networks == "10.1.2.3/32\n10.2.0.0/16"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "government"}, "只能授予企业平台"),
        ({"agency": ""}, "必须指定所属企业"),
        ({"allowed_networks": "10.1.2.300"}, "不是有效的 IP"),
        ({"kind": "credit", "agency": "", "scope": ["pii:read"]}, "只能授予政务平台和国家平台"),
    ],
)
def test_bad_partners_are_refused_in_chinese(change, message, city):
    form = {
        "name": "有问题的系统",
        "kind": "agency",
        "agency": AgencyFactory().pk,
        "contact_name": "王工",
        "scope": ["workers:write"],
        "allowed_networks": "",
        "rate_per_minute": 60,
        **change,
    }
    response = city.post(f"{SYSTEMS}new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Partner.objects.filter(name="有问题的系统").exists()


def test_a_secret_is_shown_once_and_can_be_revoked(city):
    partner = PartnerFactory()
    shown = city.post(f"/admin/partners/{partner.pk}/credentials/new/")
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    credential = PartnerCredential.objects.get(partner=partner)
    secret = shown.context["secret"]
    assert exchange(credential.client_id, secret).status_code == 200
    listing = city.get(f"/admin/partners/{partner.pk}/credentials/").content.decode()
    assert credential.client_id in listing and secret not in listing
    city.post(f"/admin/partners/{partner.pk}/credentials/{credential.pk}/revoke/")
    assert exchange(credential.client_id, secret).status_code == 401


def test_the_call_log_filters_and_exports(city):
    one, other = PartnerFactory(name="甲系统"), PartnerFactory(name="乙系统")
    for partner, status in ((one, 200), (one, 403), (other, 200)):
        partner_call_record(
            partner=partner, method="GET", endpoint="worker_by_card", status=status, purpose="核验"
        )
    page = city.get(CALLS, {"partner": one.pk, "status": 403})
    assert page.status_code == 200
    exported = city.get(CALLS, {"partner": one.pk, "export": "csv"})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3  # the header and one's two calls
    assert all("甲系统" in row for row in rows[1:])
    assert PartnerCall.objects.count() == 3
