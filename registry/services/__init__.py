"""Writes of the registry, one module per sub-domain. Import from the module.

Every compliance change is one atomic, audited call: each function is
keyword-only, validates its input, saves with ``update_fields`` where it
changes a row, writes an audit entry naming the acting user, and sends side
effects (tasks of higher apps) only after commit.

- ``workers``: filing a worker (``worker_create``), correcting details, the photo.
- ``filings``: the filing state machine (``TRANSITIONS``): review, approve,
  reject, return, resubmit, withdraw.
- ``cards``: the household-service card, one per person, singly or in batches.
- ``employment``: employment history (从业经历): start and end.
- ``transfers``: filing a person the registry already knows (转入), pending
  transfer requests and the worker's answer (``TransferNeedsConsent``).
- ``credit``: credit records about workers and agencies; blacklisting asks the
  certificates app to revoke.
- ``agencies``: filing an agency, opening a branch.
- ``staff``: agency staff memberships and regulators' scopes.
- ``rosters``: roster import (花名册), in the request or in a Celery task.
- ``insurance``: a worker's liability insurance.
- ``visits``: household trust: visits confirmed at the door, ratings and
  their moderation, a rating escalated to a credit record.
- ``signin``: a worker's login: found by mobile number, first activation,
  linking, a new number (named by settings.PHONE_LOGIN_*).
- ``common``: helpers several of these share (who acted, the edge-cache purge,
  a filing's history step, health-check dates, photo storage).
"""
