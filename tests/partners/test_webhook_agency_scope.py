"""An agency's own system receives only its agency's events; a platform receives all."""

from lms.outbox import EventType, change_record
from partners.webhooks import services

from .conftest import AgencySystemFactory, PartnerFactory
from .test_webhook_receiver import Receiver, pump  # noqa: F401 - fixture


def test_an_agency_system_gets_only_its_own_agency(transactional_db, settings, pump):  # noqa: F811
    settings.PARTNER_WEBHOOKS_ALLOW_PRIVATE = True
    own, platform = Receiver(), Receiver()
    for r in (own, platform):
        r.thread.start()
    try:
        system = AgencySystemFactory()
        services.endpoint_create(partner=system, url=own.url)
        services.endpoint_create(partner=PartnerFactory(), url=platform.url)
        mine = change_record(EventType.EMPLOYMENT_STARTED, data={}, agency_id=system.agency_id)
        other = change_record(EventType.EMPLOYMENT_STARTED, data={}, agency_id=system.agency_id + 1)
        none = change_record(EventType.DOOR_CHANGED, data={})
        pump()
        assert own.ids() == [f"evt_{mine.pk}"]
        assert platform.ids() == [f"evt_{e.pk}" for e in (mine, other, none)]
    finally:
        for r in (own, platform):
            r.server.shutdown()
            r.server.server_close()
