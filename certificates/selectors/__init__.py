"""Reads of the certificates app, one module per subject. Import from the module.

Whether a certificate is current or valid is not defined here but once in
``certificates.models`` (``CertificateQuerySet`` and ``Certificate.status_on``);
the door colour is ``certificates.door``.

- ``lookup``: the public answers about one certificate, by QR token or by
  number and holder name (``Verification``, masked data only), the holder's
  photo, the certificate behind a token for confirming entry.
- ``records``: a certificate's status and chain of replacements, a worker's
  own certificates (the live code's among them), which certificates a staff
  login may see and download.
- ``pending``: what the jobs still have to do: reminders due, files to
  (re)render, passed attempts without their certificate.
- ``statistics``: aggregates over many workers for the dashboards (holders,
  counts by status and expiry, flows over a period) and visits after a
  certificate lapsed, for the early-warning rules.
"""
