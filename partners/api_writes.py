"""Partners' writes under /api/v1/partner/ (issue #24): filings, employment, credit, health
checks and insurance, each with an Idempotency-Key, through the registry's services."""

from ninja import Router

router = Router(tags=["partner"])
