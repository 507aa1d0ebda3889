import pytest

from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory
from tests.lms.factories import WorkerUserFactory
from tests.registry.factories import WorkerFactory


@pytest.fixture
def course_index(db):
    return CourseIndexPageFactory()


@pytest.fixture
def course(course_index):
    """A course of three required lessons and one optional lesson."""
    course = CoursePageFactory(parent=course_index, title="上门服务证培训")
    LessonPageFactory.create_batch(3, parent=course)
    LessonPageFactory(parent=course, title="选修：沟通技巧", is_required=False)
    return course


@pytest.fixture
def worker(db):
    return WorkerFactory(user=WorkerUserFactory())


@pytest.fixture
def other_worker(db):
    return WorkerFactory(user=WorkerUserFactory())
