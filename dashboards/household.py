"""The household-trust parts (door colour, insurance, service visits, ratings).

They come from another issue that is not built yet. Each is read through a
named selector that is looked up at call time; until it exists the
dashboards leave that part out (and say so), and once it lands it shows up
without a change here. The expected contracts:

``door_status_for_workers(workers) -> {worker_id: status}``
    ``status.colour`` in ``"green" | "yellow" | "red"``, ``status.reasons`` a list of str.
``insurance_expiry_for_workers(workers) -> {worker_id: date | None}``
``service_visits_of_worker(worker) -> iterable``
    items with ``confirmed_at`` (datetime), ``rating`` (int | None), ``comment`` (str),
    ``household_label`` (str, masked).
``latest_ratings(workers, limit) -> list`` of the same items (with ``worker``).
``visit_counts(workers, since=None, until=None) -> {"visits": int, "average_rating": float | None}``
``visits_after_certificate_lapse() -> iterable``
    items with ``worker_id``, ``certificate_id``, ``visit_id``, ``confirmed_at``.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

COLOURS = {
    "green": _("绿码"),
    "yellow": _("黄码"),
    "red": _("红码"),
}


def _modules() -> list[str]:
    return list(
        getattr(
            settings,
            "DASHBOARDS_HOUSEHOLD_SELECTOR_MODULES",
            ["certificates.selectors", "registry.selectors"],
        )
    )


def selector(name: str):
    """The household selector `name` from the first module that has it, else None."""
    for module_name in _modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        func = getattr(module, name, None)
        if callable(func):
            return func
    return None


def door_statuses(workers) -> dict | None:
    func = selector("door_status_for_workers")
    return func(workers) if func else None


def insurance_expiries(workers) -> dict | None:
    func = selector("insurance_expiry_for_workers")
    return func(workers) if func else None


def has_door_status() -> bool:
    return selector("door_status_for_workers") is not None


def has_insurance() -> bool:
    return selector("insurance_expiry_for_workers") is not None


def has_visits() -> bool:
    return selector("visit_counts") is not None


def colour_label(colour: str) -> str:
    return str(COLOURS.get(colour, ""))
