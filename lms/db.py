"""Hot statements: prepared once per connection, checked without an extra round trip.

Two paths run one fixed statement on most requests: the exam client's
autosave and the household's card-number lookup. For them:

* Django's PostgreSQL cursors bind parameters on the client, so the server
  parses and plans the statement on every call, which costs more of its CPU
  than running it. :func:`preparing_cursor` binds on the server and prepares
  each statement once per connection (``prepare_threshold`` in the settings);
  it is wrapped like Django's own cursors, so errors and query logging are
  the same.
* With ``CONN_HEALTH_CHECKS``, Django pings a persistent connection
  (``SELECT 1``) before the first query of each request, a round trip of its
  own. :func:`fetch_idempotent` lets the statement be its own check.
"""

from __future__ import annotations

import functools

from django.db import InterfaceError, OperationalError, connection


def preparing_cursor():
    """A cursor that prepares its statements on PostgreSQL; Django's own cursor elsewhere."""
    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    connection.validate_thread_sharing()
    connection.ensure_connection()
    logged = connection.queries_logged
    raw = _preparing_cursor_class(logged)(connection.connection)
    if logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@functools.cache
def _preparing_cursor_class(logged: bool):
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            result = super().execute(query, params, prepare=True)
            if logged and self._query is None:
                # A prepared statement runs without the query text Django logs
                # (connection.queries, assertNumQueries): keep it (placeholders as $1…).
                self._query = self._convert_query(query, params)
            return result

    return PreparingCursor


def fetch_idempotent(sql: str, params: list, *, one: bool = False):
    """Run a statement that may safely run twice (a read, or a guarded write); its rows.

    When Django would check the connection before this request's first query,
    the statement is the check instead: should the connection turn out dead,
    it is closed and the statement runs once more on a new one. That is safe
    only because running it twice changes nothing, and only outside a
    transaction. With `one`, the first row (or None).
    """
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if checking:
        connection.health_check_done = True
        try:
            return _fetch(sql, params, one)
        except (OperationalError, InterfaceError):
            if connection.is_usable():
                raise
            connection.close()
    return _fetch(sql, params, one)


def _fetch(sql: str, params: list, one: bool):
    with preparing_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if one else cursor.fetchall()
