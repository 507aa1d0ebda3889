"""The live code: signed, a minute long, single use; the printed code keeps working."""

import datetime
import re

from django.test import override_settings

import pytest
import time_machine

from certificates import live_code
from registry.models import ServiceVisit
from tests.care import without_care_scripts

pytestmark = pytest.mark.django_db


def live_path(certificate) -> str:
    return "/" + live_code.live_url(live_code.live_token_make(certificate.pk)).split("/", 3)[3]


def test_the_worker_page_shows_a_refreshing_qr_without_inline_script(
    client, login_worker, green_certificate
):
    login_worker(client, green_certificate.worker.user)
    response = client.get("/me/code/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert 'data-live-url="http' in html and "/v/live/" in html
    assert "certificates/live-code.js" in html
    assert "<script>" not in without_care_scripts(html) and "style=" not in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_the_refresh_answer_is_a_new_token_each_time(client, login_worker, green_certificate):
    login_worker(client, green_certificate.worker.user)
    first = client.get("/me/code/refresh/").json()
    second = client.get("/me/code/refresh/").json()
    assert first["url"] != second["url"]
    assert first["svg"].startswith("<svg")
    # Nothing personal in the code: only a certificate id and a nonce, signed.
    worker = green_certificate.worker
    for value in (worker.id_number, worker.phone, worker.name):
        assert value not in first["url"]


def test_a_worker_without_a_certificate_gets_no_code(client, login_worker, green_worker):
    login_worker(client, green_worker.user)
    assert "data-live-code" not in client.get("/me/code/").content.decode()
    assert client.get("/me/code/refresh/").status_code == 404


def test_someone_else_cannot_open_the_worker_page(client):
    assert client.get("/me/code/").status_code == 302


def test_a_live_code_opens_the_status_view_once(client, green_certificate):
    path = live_path(green_certificate)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "动态码核验通过" in html
    assert "绿码" in html
    assert green_certificate.number in html
    # The same code a second time (a screenshot passed on) is refused, plainly.
    again = client.get(path)
    assert again.status_code == 410
    assert "已经被扫描过，不能再次使用" in again.content.decode()


def test_a_live_code_older_than_a_minute_is_refused(client, green_certificate):
    path = live_path(green_certificate)
    with time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=61)
    ):
        response = client.get(path)
    assert response.status_code == 410
    assert "已过期" in response.content.decode()
    assert "/v/live/" not in response.content.decode()  # the token is not echoed back


@override_settings(CERTIFICATES_LIVE_CODE_SECONDS=5)
def test_the_lifetime_is_a_setting(client, green_certificate):
    path = live_path(green_certificate)
    with time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=6)
    ):
        assert client.get(path).status_code == 410


def test_a_forged_or_altered_live_code_is_refused(client, green_certificate):
    path = live_path(green_certificate)
    forged = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.get(forged)
    assert response.status_code == 404
    assert "无法识别" in response.content.decode()
    assert client.get("/v/live/not-a-token/").status_code == 404


def test_confirm_entry_from_a_live_code_is_recorded_as_live(client, green_certificate):
    html = client.get(live_path(green_certificate)).content.decode()
    confirm = (
        re.search(r'href="(/v/[^"]+/confirm/\?via=[^"]+)"', html).group(1).replace("&amp;", "&")
    )
    form = client.get(confirm).content.decode()
    via = re.search(r'name="via" value="([^"]+)"', form).group(1)
    response = client.post(
        confirm,
        {"service_date": "", "district": "xuhui", "via": via, "contact": ""}
        | {"service_date": datetime.date.today().isoformat()},
    )
    assert response.status_code == 302
    visit = ServiceVisit.objects.get()
    assert visit.scanned_via == ServiceVisit.ScannedVia.LIVE


def test_a_forged_via_falls_back_to_printed(client, green_certificate):
    url = f"/v/{green_certificate.token}/confirm/"
    client.post(
        url,
        {"service_date": datetime.date.today().isoformat(), "district": "xuhui", "via": "x:y:z"},
    )
    assert ServiceVisit.objects.get().scanned_via == ServiceVisit.ScannedVia.PRINTED


def test_the_printed_code_keeps_working_for_years(client, green_certificate):
    with time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=5 * 365)
    ):
        response = client.get(f"/v/{green_certificate.token}/")
        assert response.status_code == 200
        # Expired by then: the door code says so, in words.
        assert "证书已过期" in response.content.decode()
    assert client.get(f"/v/{green_certificate.token}/").status_code == 200


def test_two_phones_opening_one_code_only_one_gets_in(green_certificate):
    token = live_code.live_token_make(green_certificate.pk)
    assert live_code.live_token_open(token).certificate_id == green_certificate.pk
    with pytest.raises(live_code.LiveCodeRefused) as refused:
        live_code.live_token_open(token)
    assert refused.value.reason == "replayed"
