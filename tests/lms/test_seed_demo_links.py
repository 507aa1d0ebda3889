"""Every link seed_demo prints opens a page that shows what its label says."""

import io
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

#: Printed label prefix → the words of the certificate banner (certificates' Status labels).
CERTIFICATE_LABELS = {
    "有效证书": "有效",
    "已过期证书": "已过期",
    "已撤销证书": "已撤销",
    "已被取代证书": "已被新证书取代",
}
DOOR_LABELS = {"绿码": "green", "黄码": "yellow", "红码": "red"}
#: Admin pages and the demo login the label names for them.
ADMIN_LOGINS = {
    "/admin/dashboards/supervision/": "city",
    "/admin/dashboards/warnings/": "city",
    "/admin/dashboards/reports/": "city",
}


def _printed_links(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^(.+?): (https?://\S+)$", text, flags=re.MULTILINE)


def _banner(html: str) -> str:
    match = re.search(r'cert-verify__banner".*?status-banner__label">([^<]+)<', html, re.S)
    return match.group(1).strip() if match else ""


def _door(html: str) -> str:
    match = re.search(r'class="door door--(\w+)"', html)
    return match.group(1) if match else ""


def test_every_printed_link_shows_what_its_label_says(client, login_staff, login_worker):
    out = io.StringIO()
    call_command("seed_demo", password="pw-links", i_know_this_is_not_production=True, stdout=out)
    links = _printed_links(out.getvalue())
    labels = [label for label, _url in links]
    for prefix in (*CERTIFICATE_LABELS, *DOOR_LABELS):
        assert any(label.startswith(prefix) for label in labels), f"{prefix} not printed"

    User = get_user_model()
    checked = 0
    for label, url in links:
        assert url.startswith(settings.SITE_URL), url
        path = url.removeprefix(settings.SITE_URL)
        client.logout()
        certificate = next((w for p, w in CERTIFICATE_LABELS.items() if label.startswith(p)), None)
        door = next((c for p, c in DOOR_LABELS.items() if label.startswith(p)), None)
        if path.startswith("/v/"):
            response = client.get(path)
            assert response.status_code == 200, label
            html = response.content.decode()
            assert certificate or door, f"unlabelled verify link {label}"
            if certificate:
                assert _banner(html) == certificate, (label, _banner(html))
            if door:
                assert _door(html) == door, (label, _door(html))
        elif path.startswith("/me/"):
            login_worker(client, User.objects.get(username="w13800000001"))
            assert client.get(path).status_code == 200, label
        elif path.startswith("/admin/"):
            # A label may name its login ("…（登录 proctor）", "…（district / city 登录）"),
            # else the table above, else agency.
            named = re.search(r"（(?:登录 )?([a-z][\w-]*)", label)
            username = named.group(1) if named else ADMIN_LOGINS.get(path, "agency")
            login_staff(client, User.objects.get(username=username))
            assert client.get(path).status_code == 200, label
        else:
            assert client.get(path).status_code == 200, label
        checked += 1
    assert checked == len(links) >= 10
