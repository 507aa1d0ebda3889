"""The regulators' live statistics: computed in the database, kept fresh in the cache.

See ``dashboards.selectors.cached_figures``: a fresh entry is served as it is, a
stale one is served while a background task recomputes it, an entry past the
maximum age is never served, ``?refresh=1`` recomputes on the spot, and a
periodic task keeps the city level fresh.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from dashboards.selectors import cached_figures

pytestmark = pytest.mark.django_db

CITY = reverse("dashboards_admin:supervision")


def registered(response) -> int:
    return response.context["overview"]["total"]["registered"]


@pytest.fixture
def city_client(client, login_staff, city_regulator):
    return login_staff(client, city_regulator)


def test_a_fresh_entry_is_served_from_the_cache(city_client, stage, django_assert_max_num_queries):
    stage.worker("approved")
    first = city_client.get(CITY)
    assert registered(first) == 1
    assert "统计时间" in first.content.decode()
    stage.worker("approved")
    # Within DASHBOARDS_LIVE_SECONDS the same figures come back without aggregating again.
    with django_assert_max_num_queries(30):
        again = city_client.get(CITY)
    assert registered(again) == 1
    assert again.context["computed_at"] == first.context["computed_at"]


def test_refresh_recomputes_at_once(city_client, stage):
    stage.worker("approved")
    assert registered(city_client.get(CITY)) == 1
    stage.worker("approved")
    assert registered(city_client.get(CITY + "?refresh=1")) == 2


def test_a_stale_entry_is_served_once_while_it_is_recomputed(city_client, stage):
    stage.worker("approved")
    assert registered(city_client.get(CITY)) == 1
    stage.worker("approved")
    later = timezone.now() + datetime.timedelta(seconds=settings.DASHBOARDS_LIVE_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        # Served stale at once; the refresh task runs (in process during tests) ...
        assert registered(city_client.get(CITY)) == 1
        # ... so the next view has the new figures.
        assert registered(city_client.get(CITY)) == 2


def test_an_entry_past_the_maximum_age_is_never_served(city_client, stage):
    stage.worker("approved")
    assert registered(city_client.get(CITY)) == 1
    stage.worker("approved")
    later = timezone.now() + datetime.timedelta(seconds=settings.DASHBOARDS_LIVE_MAX_AGE + 5)
    with time_machine.travel(later, tick=False):
        assert registered(city_client.get(CITY)) == 2


def test_the_periodic_task_refreshes_the_city(stage):
    from dashboards.tasks import live_refresh

    assert settings.CELERY_BEAT_SCHEDULE["dashboards-live-refresh-city"]["task"] == (
        "dashboards.tasks.live_refresh"
    )
    stage.worker("approved")
    assert cached_figures.entry_for("city")["overview"]["total"]["registered"] == 1
    stage.worker("approved")
    live_refresh.apply(args=["city", ""])
    assert cached_figures.entry_for("city")["overview"]["total"]["registered"] == 2


def test_a_district_regulator_and_the_city_share_the_district_figures(
    client, login_staff, district_regulator, city_regulator, stage, other_stage
):
    stage.worker("approved")  # Xuhui
    other_stage.worker("approved")  # Pudong
    code = stage.agency.district
    url = reverse("dashboards_admin:supervision_district", args=[code])
    login_staff(client, district_regulator)
    mine = client.get(url)
    assert registered(mine) == 1
    client.logout()
    login_staff(client, city_regulator)
    theirs = client.get(url)
    assert theirs.context["computed_at"] == mine.context["computed_at"]
    assert registered(theirs) == 1


def test_door_colours_are_counted_and_labelled_in_the_page(city_client, stage):
    stage.worker("approved")
    response = city_client.get(CITY)
    colours = response.context["overview"]["door_colours"]
    assert set(colours) == {"green", "yellow", "red"}
    assert sum(colours.values()) == 1
    assert f"黄码 {colours['yellow']}" in response.content.decode()


def test_the_regulators_home_panel_uses_the_same_figures(city_client, stage):
    stage.worker("approved")
    page = city_client.get(CITY)
    home = city_client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert "统计时间" in home.content.decode()
    assert registered(page) == 1
    assert cached_figures.entry_for("city")["computed_at"] == page.context["computed_at"]


def test_a_new_day_starts_a_new_entry(city_client, stage):
    stage.worker("approved")
    assert registered(city_client.get(CITY)) == 1
    stage.worker("approved")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        # A new day starts a new entry: "expiring within 30 days" depends on the date.
        assert registered(city_client.get(CITY)) == 2


def test_exam_rows_name_the_district_in_the_readers_language(city_client, stage):
    stage.worker("failed")  # Xuhui
    page = city_client.get(CITY)
    (row,) = page.context["overview"]["exams"]
    assert str(row["district"]) == "徐汇区"
    english = city_client.get(CITY, HTTP_ACCEPT_LANGUAGE="en")
    assert "Xuhui" in english.content.decode()
