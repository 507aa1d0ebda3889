"""Every read of the dashboards, one module per subject (nothing here writes data):

* ``scope`` — who sees what: ``Scope`` and ``scope_for(user)``; every other read
  takes a scope's workers or agencies.
* ``funnel`` — the certification funnel of the agency workspace (one query).
* ``progress_report`` — the staff-progress report: its rows filtered, searched and
  sorted from a query string (the listing, its downloads and the background
  export jobs), and the details added to each row.
* ``worker_timeline`` — everything about one worker, newest first.
* ``figures`` — the regulators' statistics by district or agency, the monthly
  flows and the monthly report's data, the snapshot trends.
* ``cached_figures`` — the same statistics kept fresh in the cache, per level.
* ``early_warnings`` — what the early-warning rules read (and where the other apps'
  reads they use live), and the warnings a regulator may see.

Import from the module that holds a function; this package re-exports nothing.
"""
