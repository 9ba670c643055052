"""The replica's SQL, one module per table (the libpretixsync model of one ``.sq`` file per table).

Each module holds the named queries of its table: the SQL strings and small
functions that run them. When a table changes, its module is the one file to open.

Most functions take a :data:`Db`: a SQLAlchemy ``Session`` (its transaction is
used) or a plain ``sqlite3.Connection`` (the doctor reads a replica read-only
without SQLAlchemy). The check-in path speaks plain sqlite3 on purpose: building a
SQLAlchemy statement costs more than running it, on every scan. Functions that
need the ORM (bulk updates by primary key, ORM rows for the CSV exports) take a
``Session`` and say so.

Modules: ``events``, ``signing_keys``, ``revoked_tickets``, ``attendees``,
``attendee_search`` (the full-text index), ``checkins``, ``outbox``,
``sync_state`` and ``schema`` (Alembic's version, the integrity check).
"""

from __future__ import annotations

import sqlite3
from typing import Union

from sqlalchemy.orm import Session

Db = Union[Session, sqlite3.Connection]


def raw(db: Db) -> sqlite3.Connection:
    """The sqlite3 connection of ``db``: itself, or the one under a session, in its transaction."""
    if isinstance(db, sqlite3.Connection):
        return db
    return db.connection().connection.dbapi_connection


def placeholders(count: int) -> str:
    """``?, ?, ?`` for ``count`` parameters."""
    return ", ".join("?" * count)
