"""Signed webhooks for partners (issue #24): the outbox's events POSTed to a partner's
HTTPS endpoints, signed by the Standard Webhooks scheme.

The database is the source of truth. ``fanout`` follows the outbox
(``lms.outbox.events_after``) from each endpoint's own cursor and writes one
``WebhookDelivery`` row per event; ``sending`` takes due rows, sends one attempt each
and records what happened (delivered, retried with backoff, abandoned); a Celery
message only says "try these now", so a lost message or a killed worker loses
nothing: the reconciler sends again what stayed due. ``signing`` signs,
``addresses`` refuses private addresses, ``services`` holds the admin's writes
(endpoints, secrets, replay) and ``selectors`` the reads.
"""
