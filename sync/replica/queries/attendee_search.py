"""Named queries of ``attendee_search``, the FTS5 index of attendees' names and emails, and the
other lookups of staff search (see :mod:`kiosk.core.search` for the ranking they serve).

Every query returns rows of :data:`COLUMNS` followed by a score (bm25, lower is better;
0.0 where nothing is scored). Merged walk-ins are never returned: their canonical
attendee is. They take the driver's own ``sqlite3.Connection``: a search runs many
small statements, and SQLAlchemy's per-statement overhead would be a fifth of the time.
``match`` is an FTS5 query that the caller has quoted already.
"""

from __future__ import annotations

import sqlite3

COLUMNS = ("id", "first_name", "last_name", "email", "ticket_code", "ticket_type", "status",
           "plus_ones", "is_walkin", "inside", "arrival_id")
_COLUMNS = ", ".join(f"a.{name}" for name in COLUMNS)
_ALPHABETICAL = "a.last_name COLLATE NOCASE, a.first_name COLLATE NOCASE, a.ticket_code"
NAME_WEIGHT, EMAIL_WEIGHT = 10.0, 1.0

BY_CODES = (f"SELECT {_COLUMNS}, 0.0 FROM attendees a WHERE a.event_id = ? AND a.ticket_code IN (?, ?) "
            "AND a.merged_into_id IS NULL")
BY_EMAIL = (f"SELECT {_COLUMNS}, 0.0 FROM attendees a WHERE a.event_id = ? AND a.email = ? "
            "AND a.merged_into_id IS NULL")
# A range on the (event_id, email) index: every string that starts with the prefix sorts inside it.
BY_EMAIL_PREFIX = (f"SELECT {_COLUMNS}, 0.0 FROM attendees a WHERE a.event_id = ? AND a.email >= ? "
                   "AND a.email < ? AND a.merged_into_id IS NULL ORDER BY a.email LIMIT ?")
# Codes holding the text anywhere (as typed, upper-cased): a scan of the event's codes, stopped at the limit.
# The codes are read from the (event_id, ticket_code) index alone, a tenth of the table's pages.
_CODE_PART = (f"SELECT {_COLUMNS}, 0.0 FROM attendees a WHERE a.rowid IN ("
              "SELECT rowid FROM attendees WHERE event_id = ? AND {test} LIMIT ?) AND a.merged_into_id IS NULL")
BY_CODE_PART = _CODE_PART.replace("{test}", "instr(ticket_code, ?) > 0")
BY_CODE_PART_ANY_CASE = _CODE_PART.replace("{test}", "(instr(ticket_code, ?) > 0 OR instr(ticket_code, ?) > 0)")
COUNT_MATCHES = "SELECT count(*) FROM (SELECT 1 FROM attendee_search WHERE attendee_search MATCH ? LIMIT ?)"
RANKED = f"""
    SELECT {_COLUMNS}, m.score
    FROM (SELECT rowid, bm25(attendee_search, {NAME_WEIGHT}, {EMAIL_WEIGHT}) AS score
          FROM attendee_search WHERE attendee_search MATCH ?) AS m
    CROSS JOIN attendees a ON a.rowid = m.rowid
    WHERE a.event_id = ? AND a.merged_into_id IS NULL
    ORDER BY m.score, {_ALPHABETICAL}
    LIMIT ?"""
ALPHABETICAL = f"""
    SELECT {_COLUMNS}, 0.0 FROM attendee_search s CROSS JOIN attendees a ON a.rowid = s.rowid
    WHERE attendee_search MATCH ? AND a.event_id = ? AND a.merged_into_id IS NULL
    ORDER BY {_ALPHABETICAL}
    LIMIT ?"""
IN_INDEX_ORDER = f"""
    SELECT {_COLUMNS}, 0.0 FROM attendee_search s CROSS JOIN attendees a ON a.rowid = s.rowid
    WHERE attendee_search MATCH ? AND a.event_id = ? AND a.merged_into_id IS NULL
    LIMIT ?"""


def by_codes(conn: sqlite3.Connection, event_id: str, code: str, other_code: str) -> list[tuple]:
    """The attendees holding either code (as typed, upper-cased), in no particular order."""
    return conn.execute(BY_CODES, (event_id, code, other_code)).fetchall()


def by_code_part(conn: sqlite3.Connection, event_id: str, part: str, limit: int) -> list[tuple]:
    """Codes that contain ``part`` (as typed or upper-cased) anywhere, in no particular order."""
    if part == part.upper():  # one test per code, not two: half the time of a scan
        return conn.execute(BY_CODE_PART, (event_id, part, limit)).fetchall()
    return conn.execute(BY_CODE_PART_ANY_CASE, (event_id, part, part.upper(), limit)).fetchall()


def by_email(conn: sqlite3.Connection, event_id: str, email: str) -> list[tuple]:
    return conn.execute(BY_EMAIL, (event_id, email)).fetchall()


def by_email_prefix(conn: sqlite3.Connection, event_id: str, prefix: str, limit: int) -> list[tuple]:
    """Emails that start with ``prefix``, in email order."""
    return conn.execute(BY_EMAIL_PREFIX, (event_id, prefix, prefix + "\U0010ffff", limit)).fetchall()


def count_matches(conn: sqlite3.Connection, match: str, at_most: int) -> int:
    """How many index rows match, counting no further than ``at_most`` (a broad count stops early)."""
    return conn.execute(COUNT_MATCHES, (match, at_most)).fetchone()[0]


def ranked(conn: sqlite3.Connection, event_id: str, match: str, limit: int) -> list[tuple]:
    """Index matches by bm25 (name weighted over email), then alphabetically."""
    return conn.execute(RANKED, (match, event_id, limit)).fetchall()


def alphabetical(conn: sqlite3.Connection, event_id: str, match: str, limit: int) -> list[tuple]:
    """Index matches alphabetically, unscored."""
    return conn.execute(ALPHABETICAL, (match, event_id, limit)).fetchall()


def in_index_order(conn: sqlite3.Connection, event_id: str, match: str, limit: int) -> list[tuple]:
    """Index matches in the index's own order (too many to sort in time)."""
    return conn.execute(IN_INDEX_ORDER, (match, event_id, limit)).fetchall()
