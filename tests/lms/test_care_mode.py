"""关怀版 (care mode): the same HTML for everyone, a hashed head script, a small stylesheet."""

import base64
import gzip
import hashlib
import re
from pathlib import Path

from django.conf import settings

import pytest

from cms.services import home_page_ensure
from lms.care import BOOT_SCRIPT, BOOT_SCRIPT_HASH

pytestmark = pytest.mark.django_db

CARE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "care.css"


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, flags=re.S)


def test_the_care_stylesheet_adds_at_most_3_kb_gzip_to_a_page():
    size = len(gzip.compress(CARE_CSS.read_bytes(), compresslevel=9))
    assert size <= 3 * 1024, f"care.css is {size} bytes gzip"


def test_every_page_runs_the_boot_script_allowed_by_its_hash_and_nothing_else_inline(client):
    response = client.get("/v/no-such-token/")
    html = response.content.decode()
    assert inline_scripts(html) == [BOOT_SCRIPT]
    digest = base64.b64encode(hashlib.sha256(BOOT_SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == BOOT_SCRIPT_HASH
    directives = policy(response)
    assert directives["script-src"] == f"'self' {BOOT_SCRIPT_HASH}"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]
    # It runs before the stylesheets, so the first paint already has the care layout.
    assert html.index("<script>") < html.index('href="/static/css/site.css"')
    assert html.index('href="/static/css/site.css"') < html.index('href="/static/css/care.css"')


def test_the_admin_policy_is_unchanged_by_the_care_script(client):
    directives = policy(client.get("/api/v1/docs"))
    assert directives["script-src"] == "'self' 'unsafe-inline'"


def test_the_page_is_the_same_with_or_without_care_mode_and_stays_public_at_the_edge(client):
    home_page_ensure()
    plain = client.get("/")
    client.cookies["care"] = "1"
    cared = client.get("/")
    assert plain.status_code == cared.status_code == 200
    assert plain.content == cared.content
    assert "public" in plain["Cache-Control"] and "s-maxage" in plain["Cache-Control"]
    assert "public" in cared["Cache-Control"]


def test_the_switch_is_in_the_header_and_on_the_first_screen_of_the_home_page(client):
    home_page_ensure()
    html = client.get("/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert header.count("data-care-switch") == 1
    main = html[html.index('<main id="main"') :]
    callout = main[main.index('class="care-callout"') :]
    assert callout.index("data-care-switch") < callout.index("</section>")
    # Its words follow the mode by CSS; both are in the page.
    assert "关怀版" in header and "退出关怀版" in header
    assert '<script src="/static/js/care.js" defer></script>' in html


def test_the_boot_script_reads_the_address_storage_and_cookie_and_sets_the_class():
    assert "localStorage" in BOOT_SCRIPT and "document.cookie" in BOOT_SCRIPT
    assert "care=([01])" in BOOT_SCRIPT and 'classList.add("care")' in BOOT_SCRIPT
    assert len(BOOT_SCRIPT) < 400  # a few bytes on every page


def test_the_server_error_page_has_the_care_mode_too(client):
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert inline_scripts(html) == [BOOT_SCRIPT]
    assert "/static/css/care.css" in html


def test_the_switch_and_reading_aloud_speak_english_on_english_pages(client):
    home_page_ensure()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert ">Care mode<" in html and ">Leave care mode<" in html
    assert "Turn on care mode" in html
