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
def certificate(cert_type, holder, django_capture_on_commit_callbacks):
    """An issued certificate whose after-commit work (rendering) has run."""
    with django_capture_on_commit_callbacks(execute=True):
        return issue(cert_type, worker=holder)


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Run tasks in process, as without a broker, even when REDIS_URL is set.

    Tests marked ``redis`` talk to the real broker instead.
    """
    if request.node.get_closest_marker("redis"):
        yield
        return
    from lms.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def vc_key(settings):
    """A fresh issuer key for verifiable certificates, as the only VC_SIGNING_KEYS entry."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.certificates.credential_helpers import key_entry

    key = Ed25519PrivateKey.generate()
    settings.VC_SIGNING_KEYS = [key_entry("key-1", key)]
    return key
