"""Writes of the certificates app, one module per sub-domain. Import from the module.

Every write is one atomic function that audits who did what and why, and sends
its side effects (rendering, edge-cache purges, status lists, notifications)
only after commit. Refusals are ``common.CertificateRefused`` or Django's
``ValidationError``, with a message in plain Chinese.

- ``issuing``: issue for a passed attempt (``certificate_issue``), for a chunk
  of attempts at once (``certificates_issue``), or grant without an attempt
  (``certificate_grant``); gap-free numbering under a row lock.
- ``replacement``: a new row that supersedes the old one: renewal after a
  refresher course (``certificate_renew``), reissue of a lost card
  (``certificate_reissue``).
- ``revocation``: revoke one certificate, or every current one of a worker.
- ``rendering``: the printed content, rendering the PDF and card of one or
  many, redrawing files drawn by a deficient font.
- ``zips``: several certificates' files (and credentials) as one ZIP.
- ``batches``: bulk jobs in Celery chunks (regenerate a type, issue for a
  cohort), their progress and the restart of stuck ones.
- ``reminders``: expiry reminders to holders and their agencies.
- ``common``: what several of these share: ``CertificateRefused``, numbers,
  tokens and expiry dates, the holder check, creating and superseding a row,
  rendering after commit.

The certificate's verifiable credential is written by ``certificates.credential_services``.
"""
