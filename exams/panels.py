"""The exams' panel of the agency workspace on the admin home (see registry.panels)."""

from __future__ import annotations

from registry.panels import LIST_LIMIT, AgencyPanel

from . import selectors


class ExamsPanel(AgencyPanel):
    """Exam chances about to be lost, and the latest results."""

    name = "exams_agency"
    order = 130
    template_name = "exams/panels/agency.html"

    def panel_context(self) -> dict:
        return {
            "windows": list(selectors.windows_closing(self.workers, within_days=14)[:LIST_LIMIT]),
            "results": selectors.latest_results(self.workers, limit=LIST_LIMIT),
        }
