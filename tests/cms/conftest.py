import pytest

from lms.accounts.roles import Role
from tests.lms.factories import StaffUserFactory

from . import factories


@pytest.fixture
def home(db):
    return factories.home_page()


@pytest.fixture
def news_index(home):
    return factories.news_index(home)


@pytest.fixture
def editor():
    """A staff login with the editor role."""
    return StaffUserFactory(roles=[Role.EDITOR])
