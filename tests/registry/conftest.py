from wagtail.models import Page, Site

import pytest

from lms.accounts.roles import Role
from registry.models import AgencyCreditLookupPage, WorkerTraceLookupPage
from tests.lms.factories import UserFactory
from tests.registry.factories import AgencyStaffFactory


def _home():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        root = Page.get_first_root_node()
        site = Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    return site.root_page


@pytest.fixture
def trace_page(db):
    page = WorkerTraceLookupPage(
        title="家政服务员信息查询", slug="trace", intro="<p>输入家政卡号查询。</p>"
    )
    _home().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def agency_page(db):
    page = AgencyCreditLookupPage(title="家政企业信用查询", slug="agency-credit")
    _home().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer-1", is_staff=True, roles=[Role.REVIEWER])


@pytest.fixture
def staff_a(client, login_staff):
    """The test client signed in as a new agency's staff member; returns the membership."""
    membership = AgencyStaffFactory()
    login_staff(client, membership.user)
    return membership
