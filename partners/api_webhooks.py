"""A partner's webhook endpoints under /api/v1/partner/webhooks (issue #24)."""

from ninja import Router

router = Router(tags=["partner"])
