"""The snapshot for a first sync, GET /api/v1/snapshot (issue #24): NDJSON, resumable."""

from ninja import Router

router = Router(tags=["partner"])
