"""Reads of the consent app.

- ``grants``: requests waiting for a worker, open grants, the view log, a
  browser's request, an agency's requests and grants, reported views.
- ``record``: the worker's full record, as plain data, for a viewer with a grant.
"""
