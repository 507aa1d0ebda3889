"""The certificates' panel of the agency workspace on the admin home (see registry.panels)."""

from __future__ import annotations

from registry.panels import LIST_LIMIT, AgencyPanel

from . import door
from .selectors.statistics import certificate_counts, expiring, holder_count


class CertificatesPanel(AgencyPanel):
    """Certificates running out, and the workers whose door code is not green."""

    name = "certificates_agency"
    order = 140
    template_name = "certificates/panels/agency.html"

    def panel_context(self) -> dict:
        return {
            "counts": certificate_counts(self.workers),
            # Workers, not certificates: the funnel's "持有效证书" is this same figure.
            "holders": holder_count(self.workers),
            "expiring": list(expiring(self.workers, within_days=30)[:LIST_LIMIT]),
            "door_alerts": door.door_alerts(self.workers, limit=LIST_LIMIT),
        }
