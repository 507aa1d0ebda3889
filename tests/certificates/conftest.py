import pytest

from tests.certificates.factories import CertificateTypeFactory, give_photo, issue
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import ApprovedWorkerFactory


@pytest.fixture
def cert_type(db):
    return CertificateTypeFactory()


@pytest.fixture
def holder(db):
    """An approved worker with a card, a login and a photo."""
    return give_photo(ApprovedWorkerFactory(user=WorkerUserFactory(), name="张小红"))


@pytest.fixture
def certificate(cert_type, holder):
    return issue(cert_type, worker=holder)
