import pytest

from . import factories


@pytest.fixture
def home(db):
    return factories.home_page()


@pytest.fixture
def news_index(home):
    return factories.news_index(home)
