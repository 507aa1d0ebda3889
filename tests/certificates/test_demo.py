"""The demo seeder: certificates in every state, three printed URLs, idempotent."""

import pytest

from certificates import demo
from certificates.models import Certificate
from lms.demo import DemoContext
from tests.certificates.factories import give_photo
from tests.exams.factories import ExamFactory
from tests.lms.factories import UserFactory
from tests.registry.factories import ApprovedWorkerFactory

pytestmark = pytest.mark.django_db


def test_seed_makes_every_state_and_is_idempotent(client, settings):
    exam = ExamFactory()
    workers = [give_photo(ApprovedWorkerFactory(), seed=i) for i in range(4)]
    admin = UserFactory(username="demo-admin", is_superuser=True, is_staff=True)

    def run():
        ctx = DemoContext(password="x")
        ctx.users["admin"] = admin
        ctx.data.update({"course": exam.course, "exam": exam, "workers": workers})
        demo.seed(ctx)
        return ctx

    first = run()
    labels = [label for label, _url in first.urls]
    assert labels[:4] == [label for _key, label in demo.SCENARIOS]
    # Then one URL per door colour found (issue #8), each with its reasons.
    assert all(label.startswith(("绿码", "黄码", "红码")) for label in labels[4:])
    count = Certificate.objects.count()
    assert count == 5  # valid, expired, revoked, and a reissued pair
    second = run()
    assert second.urls == first.urls
    assert Certificate.objects.count() == count
    expected = {
        "有效证书 valid": "有效",
        "已过期证书 expired": "已过期",
        "已撤销证书 revoked": "已撤销",
        demo.SCENARIOS[3][1]: "已被新证书取代",
    }
    for label, url in first.urls[:4]:
        assert url.startswith(settings.SITE_URL + "/v/")
        html = client.get(url.removeprefix(settings.SITE_URL)).content.decode()
        assert expected[label] in html
    assert all(c.pdf for c in Certificate.objects.all())
