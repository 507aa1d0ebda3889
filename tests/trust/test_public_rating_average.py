"""Issue #21 item 18: only ratings a regulator has moderated count in the public average.

One scan of a printed code and a one-star rating moved a worker's public
average from 3.7 to 3.2 at once. Stars now count once a regulator approved
them, whether the rating has a comment or not.
"""

import pytest

from registry.selectors.visits import (
    ratings_awaiting_moderation,
    visit_counts,
    worker_visit_summary,
)
from registry.services.visits import rating_moderate

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated_worker(green_worker, regulator):
    """Three moderated ratings: 4, 4 and 3 stars (3.7)."""
    for stars in (4, 4, 3):
        rating_moderate(
            rating=factories.rating(green_worker, stars), approve=True, acting_user=regulator
        )
    return green_worker


def public_average(client, certificate):
    return client.get(f"/api/v1/verify/{certificate.token}").json()["average_rating"]


def test_unmoderated_ratings_do_not_move_the_public_average(client, rated_worker):
    certificate = factories.certificate(rated_worker)
    assert public_average(client, certificate) == 3.7
    factories.rating(rated_worker, 1, comment="很差")
    factories.rating(rated_worker, 1)  # no comment: nothing to hide, but still nobody looked
    assert public_average(client, certificate) == 3.7
    summary = worker_visit_summary(rated_worker)
    assert (summary.visits, summary.rated, summary.average_rating) == (5, 3, 3.7)


def test_a_moderated_rating_counts(client, rated_worker, regulator):
    certificate = factories.certificate(rated_worker)
    rating = factories.rating(rated_worker, 1)
    rating_moderate(rating=rating, approve=True, acting_user=regulator)
    assert public_average(client, certificate) == 3.0


def test_unmoderated_ratings_wait_in_the_moderation_queue(rated_worker, regulator):
    with_comment = factories.rating(rated_worker, 2, comment="迟到")
    stars_only = factories.rating(rated_worker, 5)
    waiting = set(ratings_awaiting_moderation(regulator).values_list("pk", flat=True))
    assert waiting == {with_comment.pk, stars_only.pk}


def test_the_dashboards_average_counts_only_moderated_ratings(rated_worker):
    from registry.models import Worker

    factories.rating(rated_worker, 1)
    assert visit_counts(Worker.objects.all())["average_rating"] == 3.7
