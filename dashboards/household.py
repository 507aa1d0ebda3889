"""The household-trust parts (door colour, insurance, service visits, ratings).

They are read from ``certificates.selectors`` (which re-exports the registry's
insurance and visit selectors): ``door_status_for_workers``,
``door_colour_counts``, ``door_colour_expression``, ``insurance_expiry_for_workers``,
``service_visits_of_worker``, ``latest_ratings``, ``visit_counts`` and
``visits_after_certificate_lapse``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from certificates import selectors as certificate_selectors

COLOURS = {
    "green": _("绿码"),
    "yellow": _("黄码"),
    "red": _("红码"),
}


def selector(name: str):
    """The household selector `name`, or None if there is none by that name."""
    func = getattr(certificate_selectors, name, None)
    return func if callable(func) else None


def door_statuses(workers) -> dict | None:
    func = selector("door_status_for_workers")
    return func(workers) if func else None


def with_door_colour(workers, *, today=None):
    """`workers` with a ``door_colour`` alias computed in the database, to filter and
    order by (not selected: use ``door_statuses`` for the colour with its reasons)."""
    return workers.alias(door_colour=certificate_selectors.door_colour_expression(today=today))


def door_colour_totals(workers, *, today=None) -> dict[str, int]:
    """{"green": n, "yellow": n, "red": n}, counted in the database."""
    return certificate_selectors.door_colour_totals(workers, today=today)


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
