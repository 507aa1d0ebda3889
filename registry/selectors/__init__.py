"""Reads of the registry, one module per sub-domain. Import from the module.

Other apps read the registry only through these (never the models' managers
directly). Selectors that take ``workers`` accept a Worker queryset (used as a
subquery) or any iterable of workers or worker ids.

- ``access``: who is behind a login (worker, agency staff, regulator) and what
  they may see (``workers_visible_to``, ``agencies_visible_to``, …).
- ``filings``: a worker's current and past filings, transfer requests, the
  review queue, workers ready for a card, the notice on the worker's /me/.
- ``workers``: a worker found by ID number, the worker's own record,
  employment history, health check; the district and service-category lists.
- ``credit``: which credit records count, and a worker's or agency's
  ``Standing`` (good / caution / blacklisted).
- ``lookups``: the public lookups (worker by card or name and ID tail, agency
  by credit code or name).
- ``public_record``: what the public may see of a worker, agency or visit:
  masked dataclasses, never model instances.
- ``insurance``: insurance expiry per worker and the dates the door facts need.
- ``door_facts``: the registry's facts behind a worker's door colour (the rule
  itself lives in ``certificates.door``).
- ``visits``: service visits and ratings: summaries, lists, the rating link.
- ``statistics``: aggregates over scoped querysets for the dashboards and the
  supervision rules.
- ``common``: ``worker_ids``, shared by the modules above.
"""
