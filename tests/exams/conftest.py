import pytest

from tests.exams.factories import ExamFactory, QuestionCategoryFactory, QuestionFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory


@pytest.fixture
def worker(db):
    """A registered worker with a login."""
    return ApprovedWorkerFactory(user=WorkerUserFactory())


@pytest.fixture
def other_worker(db):
    return ApprovedWorkerFactory(user=WorkerUserFactory())


@pytest.fixture
def exam(db):
    """Five questions drawn from a bank of eight (single choice, A right), 20 points each."""
    return ExamFactory()


@pytest.fixture
def mixed_exam(db):
    """Two categories: 3 single-choice × 10 points, 2 multiple-choice × 20 points, partial scoring."""
    single = QuestionCategoryFactory(name="安全常识")
    multiple = QuestionCategoryFactory(name="家庭保洁")
    QuestionFactory.create_batch(4, category=single)
    QuestionFactory.create_batch(3, category=multiple, multiple=True)
    return ExamFactory(
        rules=[(single, 3, 10), (multiple, 2, 20)],
        multiple_scoring="partial",
    )


@pytest.fixture
def signed_in(client, login_worker, worker):
    """The test client, signed in as `worker`."""
    return login_worker(client, worker.user)
