"""Factories of the sittings app.

station = StationFactory()                       # 10.20.0.0/24, 30 seats
sitting = SittingFactory()                       # now−5 min to now+2 h, an exam of 5 questions
booking = BookingFactory(sitting=sitting)        # a registered worker in the next seat
proctor = ProctorFactory()                       # a staff login in the Proctors group
"""

from datetime import timedelta

from django.utils import timezone

import factory

from lms.accounts.roles import Role
from sittings.models import Booking, Sitting, Station
from tests.exams.factories import ExamFactory
from tests.lms.factories import UserFactory
from tests.registry.factories import ApprovedWorkerFactory

STATION_NETWORK = "10.20.0.0/24"
STATION_ADDRESS = "10.20.0.15"


class ProctorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"proctor{n}")
    is_staff = True
    roles__default = (Role.PROCTOR,)


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"徐汇区家政服务站{n}")
    address = "上海市徐汇区漕溪北路 100 号"
    district = "xuhui"
    seats = 30
    allowed_networks = f"{STATION_NETWORK}\n2001:db8:20::/48"


class SittingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sitting

    exam = factory.SubFactory(ExamFactory)
    station = factory.SubFactory(StationFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    proctor = factory.SubFactory(ProctorFactory)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    sitting = factory.SubFactory(SittingFactory)
    worker = factory.SubFactory(ApprovedWorkerFactory)
    seat = factory.Sequence(lambda n: n + 1)
