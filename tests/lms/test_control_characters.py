"""Control characters in a path, query or form field are refused with a 400, never a 500.

PostgreSQL refuses a NUL byte in any text it is sent: ``/search/?q=%00``
answered 500 there. The requests below are refused before a query is made,
on either database.
"""

import pytest

from tests.registry.conftest import trace_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["%00", "abc%00def", "%1b", "%7f"])
def test_search_with_a_control_character_is_a_friendly_400(client, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.postgres
def test_search_with_nul_is_not_a_server_error_on_postgresql(client):
    assert client.get("/search/?q=%00").status_code == 400


def test_plain_search_still_works(client):
    assert client.get("/search/", {"q": "家政培训"}).status_code == 200


def test_a_tab_in_a_query_parameter_is_refused_too(client):
    assert client.get("/search/", {"q": "家政\t培训"}).status_code == 400


def test_lookup_page_refuses_a_nul_in_any_field(client, trace_page):  # noqa: F811
    response = client.get(trace_page.url, {"card_number": "SHJZ\x0012345678"})
    assert response.status_code == 400
    response = client.post(trace_page.url, {"name": "张\x00三", "id_last4": "1234"})
    assert response.status_code == 400


def test_a_control_character_in_a_parameter_name_is_refused(client):
    assert client.get("/search/?q%00=1").status_code == 400


def test_login_form_refuses_nul(client):
    response = client.post("/accounts/login/", {"username": "a\x00", "password": "x"})
    assert response.status_code == 400


def test_forms_may_still_send_tabs_and_line_breaks(client):
    response = client.post("/accounts/login/", {"username": "a\tb\r\nc", "password": "x"})
    assert response.status_code != 400


def test_verify_api_answers_json_400(client):
    response = client.get("/api/v1/verify/abc%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "bad_input"


def test_verify_page_refuses_a_control_character_in_the_token(client):
    assert client.get("/v/abc%01/").status_code == 400


def test_admin_forms_keep_pasted_vertical_tabs_but_not_nul(rf):
    from lms.control_chars import has_control_characters

    pasted = rf.post("/admin/pages/1/edit/", {"body": "第一段\x0b第二段"})
    assert not has_control_characters(pasted)
    nul = rf.post("/admin/pages/1/edit/", {"body": "第一段\x00"})
    assert has_control_characters(nul)
