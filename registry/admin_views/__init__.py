"""Staff screens of the registry inside the Wagtail admin (second factor enforced there).

Thin views: each finds its object through a ``*_visible_to(user)`` selector
(so another agency's worker is a 404, not a 403 that confirms it exists),
checks the role, and calls one service. One module per screen family;
``registry/admin_urls.py`` imports the views from them.

- ``workers``: file a worker, the worker page, corrections and actions.
- ``rosters``: roster upload, import progress, errors, the template.
- ``filings``: the reviewer's filing screen.
- ``cards``: card batches (集体领卡).
- ``credit``: credit records (regulators).
- ``trust``: insurance entry and rating moderation.
- ``common``: the admin page base, role checks, form errors.
"""
