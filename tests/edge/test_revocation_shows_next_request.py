"""A revoked certificate reads 已撤销 on the very next request through the edge (page and API)."""

import json
import re

import pytest

from certificates.services.revocation import certificate_revoke
from tests.certificates.factories import CertificateTypeFactory, issue
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_revocation_shows_on_the_next_request_page_and_api(edge):
    certificate = issue(CertificateTypeFactory(seal=False), worker=ApprovedWorkerFactory())
    page, api = f"/v/{certificate.token}/", f"/api/v1/verify/{certificate.token}"
    for path in (page, api):
        edge.get(path)
        cached = edge.get(path)
        assert (cached.status, cached.cache) == (200, "HIT"), path
        cache_control = cached.headers["Cache-Control"]
        assert "max-age=0" in cache_control, cache_control
        assert 0 < int(re.search(r"s-maxage=(\d+)", cache_control).group(1)) <= 60
    assert "有效" in edge.get(page).body
    assert json.loads(edge.get(api).body)["status_label"] == "有效"

    certificate_revoke(certificate=certificate, acting_user=None, reason="严重违规")

    revoked_page = edge.get(page)
    assert revoked_page.status == 200
    assert "已撤销" in revoked_page.body
    revoked_api = edge.get(api)
    assert revoked_api.status == 200
    assert json.loads(revoked_api.body)["status_label"] == "已撤销"
