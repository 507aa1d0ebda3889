"""The certificates' panel of the agency workspace on the admin home (see registry.panels)."""

from __future__ import annotations

from registry.panels import LIST_LIMIT, AgencyPanel

from . import door, stats


class CertificatesPanel(AgencyPanel):
    """Certificates running out, and the workers whose door code is not green."""

    name = "certificates_agency"
    order = 140
    template_name = "certificates/panels/agency.html"

    def panel_context(self) -> dict:
        return {
            "counts": stats.certificate_counts(self.workers),
            # Workers, not certificates: the funnel's "持有效证书" is this same figure.
            "holders": stats.holder_count(self.workers),
            "expiring": list(stats.expiring(self.workers, within_days=30)[:LIST_LIMIT]),
            "door_alerts": door.door_alerts(self.workers, limit=LIST_LIMIT),
        }
