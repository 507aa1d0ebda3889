"""The change feed, GET /api/v1/changes (issue #24): events of the outbox (lms.outbox) in order."""

from ninja import Router

router = Router(tags=["partner"])
