"""A partner registers, lists, deletes its own webhook endpoints and rotates their secrets
through /api/v1/partner/webhooks/ (changes:read); another partner's endpoint is not
found; writes take an Idempotency-Key and the secret is answered once."""

import pytest

from lms.audit import audit_entries
from lms.outbox import EventType
from partners.models import IdempotentRequest, WebhookEndpoint
from partners.webhooks import services

from .conftest import PartnerFactory

pytestmark = pytest.mark.django_db

URL = "https://8.8.8.8/hooks"
HOOKS = "/webhooks/"


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def token(partner, token_for):
    return token_for(partner)


def create(api, token, body, key="key-1"):
    return api(
        "post",
        HOOKS,
        token,
        data=body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_create_answers_the_secret_once_and_list_shows_no_secret(api, token, partner):
    created = create(api, token, {"url": URL, "event_types": [EventType.DOOR_CHANGED]})
    assert created.status_code == 201, created.content
    assert "no-store" in created["Cache-Control"]
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get(partner=partner)
    assert body["endpoint"]["id"] == endpoint.pk
    assert body["endpoint"]["event_types"] == [EventType.DOOR_CHANGED]
    # The kept first answer holds no secret.
    assert secret not in str(IdempotentRequest.objects.get(partner=partner).body)

    listed = api("get", HOOKS, token)
    assert listed.status_code == 200
    assert listed.json()["endpoints"][0]["url"] == URL
    assert secret not in listed.content.decode()
    entry = audit_entries(partner).get(action="partners.webhook_create")
    assert entry.data["url"] == URL


def test_a_retry_with_the_same_key_creates_nothing_and_shows_no_secret(api, token, partner):
    body = {"url": URL}
    first = create(api, token, body)
    again = create(api, token, body)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] is None
    assert again.json()["endpoint"] == first.json()["endpoint"]
    assert WebhookEndpoint.objects.filter(partner=partner).count() == 1
    reused = create(api, token, {"url": "https://8.8.4.4/hooks"})
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("/idempotency-key-reused")


def test_a_write_without_a_key_is_refused(api, token):
    response = api("post", HOOKS, token, data={"url": URL}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"].endswith("/idempotency-key-missing")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://8.8.8.8/hooks", "https://"),
        ("https://127.0.0.1/hooks", "内网"),
        ("https://192.168.1.10/hooks", "内网"),
        ("https://169.254.169.254/latest/meta-data", "内网"),
    ],
)
def test_a_bad_url_is_an_invalid_request_naming_url(url, message, api, token, settings):
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = False
    response = create(api, token, {"url": url})
    assert response.status_code == 422
    problem = response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    assert problem["type"].endswith("/invalid-request")
    assert problem["errors"][0]["pointer"] == "#/url"
    assert message in problem["errors"][0]["detail"]
    assert not WebhookEndpoint.objects.exists()
    # The refusal kept nothing: the corrected request may use the same key.
    assert create(api, token, {"url": URL}).status_code == 201


def test_unknown_event_types_and_extra_fields_are_named(api, token):
    unknown = create(api, token, {"url": URL, "event_types": ["worker.born"]}, key="a")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["pointer"] == "#/event_types"
    extra = create(api, token, {"url": URL, "secret": "mine"}, key="b")
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["pointer"] == "#/secret"


def test_more_than_the_limit_is_a_conflict(api, token, partner):
    for n in range(services.MAX_ENDPOINTS):
        services.endpoint_create(partner=partner, url=f"https://8.8.8.8/hooks/{n}")
    response = create(api, token, {"url": URL})
    assert response.status_code == 409
    assert "最多" in response.json()["detail"]


def test_delete_and_rotate_own_endpoints_only(api, token, partner):
    mine, _secret = services.endpoint_create(partner=partner, url=URL)
    theirs, _other = services.endpoint_create(partner=PartnerFactory(), url=URL)

    listed = api("get", HOOKS, token).json()["endpoints"]
    assert [e["id"] for e in listed] == [mine.pk]
    for method, path in (
        ("delete", f"{HOOKS}{theirs.pk}"),
        ("post", f"{HOOKS}{theirs.pk}/rotate-secret"),
        ("delete", f"{HOOKS}999999"),
    ):
        response = api(method, path, token, HTTP_IDEMPOTENCY_KEY=f"k-{method}-{path}")
        assert response.status_code == 404, path
        assert response.json()["type"].endswith("/not-found")
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()

    rotated = api("post", f"{HOOKS}{mine.pk}/rotate-secret", token, HTTP_IDEMPOTENCY_KEY="r1")
    assert rotated.status_code == 200, rotated.content
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != _secret
    replayed = api("post", f"{HOOKS}{mine.pk}/rotate-secret", token, HTTP_IDEMPOTENCY_KEY="r1")
    assert replayed.json()["secret"] is None  # not rotated twice, not shown twice
    assert audit_entries(partner).filter(action="partners.webhook_rotate").count() == 1

    gone = api("delete", f"{HOOKS}{mine.pk}", token, HTTP_IDEMPOTENCY_KEY="d1")
    assert gone.status_code == 200
    assert gone.json() == {"id": mine.pk, "deleted": True}
    assert not WebhookEndpoint.objects.filter(pk=mine.pk).exists()
    again = api("delete", f"{HOOKS}{mine.pk}", token, HTTP_IDEMPOTENCY_KEY="d1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"


def test_changes_read_is_required(api, token_for, partner):
    narrow = token_for(partner, scope="certificates:read")
    for method, path in (("get", HOOKS), ("post", HOOKS), ("delete", f"{HOOKS}1")):
        body = {"data": "{}", "content_type": "application/json"} if method == "post" else {}
        response = api(method, path, narrow, HTTP_IDEMPOTENCY_KEY="s", **body)
        assert response.status_code == 403
        assert response.json()["type"].endswith("/insufficient-scope")


def test_calls_are_in_the_call_log(api, token, partner):
    create(api, token, {"url": URL})
    api("get", HOOKS, token)
    endpoints = list(partner.calls.order_by("pk").values_list("endpoint", "status"))
    assert ("webhook_create", 201) in endpoints and ("webhooks_list", 200) in endpoints
