"""Finding attendees as staff type: by ticket code, email or any word of the name.

Ranking, best first:
  1. the exact ticket code (as typed, or upper-cased),
  2. the exact email,
  3. name matches: every typed word is the start of a word of the name
     (accent- and case-insensitive, via the ``attendee_search`` FTS5 index),
     by bm25 (name weighted over email), then alphabetically,
  4. matches where some word is found only in the email, by bm25, then alphabetically,
  5. emails that start with the typed text, alphabetically,
  6. ticket codes that hold the typed text anywhere (3 characters or more: "TKT-000",
     "0002"), in roster order.

A broad query (more than RANKED_LIMIT name matches, typically one or two
letters) cannot be scored in time, so its name matches come in alphabetical
order of the matching word instead: the index is walked one letter deeper at
a time ("a" -> "aa", "ab", ...), and each slice small enough is sorted
alphabetically (unscored); tier 4 is skipped when it would be as broad.
Everything a user types is quoted before it reaches FTS5, so no query syntax
gets through. Merged walk-ins are never returned: their canonical attendee is.
The SQL itself is in ``sync.replica.queries.attendee_search``.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from kiosk.core.payload import clean
from kiosk.core.results import AttendeeView
from sync.replica import Replica
from sync.replica.database import ReplicaError
from sync.replica.queries import attendee_search as index
from sync.roster_csv import CODE_PATTERN

# What may be part of a ticket code (sync.roster_csv.CODE_PATTERN without its length and first character).
CODE_PART_PATTERN = re.compile(r"[A-Za-z0-9_\-:.]+")

MAX_TEXT_CHARS = 200
MAX_WORDS = 8
MAX_LIMIT = 500
# Scoring costs about 10 µs per matching document: above this many, rank by walking instead.
RANKED_LIMIT = 1000
# The characters a walk tries, in order, after the typed prefix (unicode61 folds accents away).
WALK_DIGITS, WALK_LETTERS = "0123456789", "abcdefghijklmnopqrstuvwxyz"
MAX_WALK_DEPTH = 3  # letters added to the typed word before giving up on alphabetical order
WALK_SLICE_LIMIT = 2000  # sorting costs about 2 µs per matching document, scoring 10

MATCHED_CODE = "ticket_code"
MATCHED_EMAIL = "email"
MATCHED_NAME = "name"
MATCHED_EMAIL_WORDS = "email_words"
MATCHED_EMAIL_PREFIX = "email_prefix"
MATCHED_CODE_PART = "ticket_code_part"
MIN_CODE_PART = 3  # fewer characters are in too many codes to be worth listing

Connection = sqlite3.Connection  # the driver's connection: see search()


@dataclass(frozen=True)
class SearchHit:
    attendee: AttendeeView
    matched: str  # one of the MATCHED_* values: why this attendee is in the list
    score: float  # bm25 for index matches (lower is better), 0.0 otherwise
    rank: int  # position in the result, 0 is the best

    def to_json(self) -> dict:
        return {"attendee": self.attendee.to_json(), "matched": self.matched, "score": self.score, "rank": self.rank}


def search(replica: Replica, event_id: str, text: str | bytes | None, limit: int = 25) -> list[SearchHit]:
    """The attendees of ``event_id`` that ``text`` designates, best first, at most ``limit``."""
    text = clean(text)[:MAX_TEXT_CHARS].strip()
    limit = min(max(limit, 0), MAX_LIMIT)
    if not text or limit == 0:
        return []
    found = _Found(limit)
    try:
        with replica.engine.connect() as conn, conn.begin():  # one read transaction: a consistent snapshot
            # The driver's own connection: a search runs many small statements, and
            # SQLAlchemy's per-statement overhead would be a fifth of the time.
            _search(conn.connection.driver_connection, event_id, text, found)
    except (OperationalError, sqlite3.OperationalError) as exc:
        raise ReplicaError(f"The replica could not be searched: {getattr(exc, 'orig', exc)}") from exc
    return found.hits


def _search(conn: Connection, event_id: str, text: str, found: _Found) -> None:
    if CODE_PATTERN.fullmatch(text):
        found.add(_by_code(conn, event_id, text), MATCHED_CODE)
    lowered = text.lower()
    if "@" in text and not found.full:
        found.add(index.by_email(conn, event_id, lowered), MATCHED_EMAIL)
    words = _words(text)
    if words and not found.full:
        _by_words(conn, event_id, words, found)
    if not found.full and not any(ch.isspace() for ch in text):
        found.add(index.by_email_prefix(conn, event_id, lowered, found.room), MATCHED_EMAIL_PREFIX)
    if not found.full and len(text) >= MIN_CODE_PART and CODE_PART_PATTERN.fullmatch(text):
        found.add(index.by_code_part(conn, event_id, text, found.room), MATCHED_CODE_PART)


class _Found:
    """Hits in tier order, each attendee once, at most ``limit``."""

    def __init__(self, limit: int):
        self.limit = limit
        self.hits: list[SearchHit] = []
        self.ids: set[str] = set()

    @property
    def full(self) -> bool:
        return len(self.hits) >= self.limit

    @property
    def room(self) -> int:
        """Rows to ask a query for: the free places, plus as many as may be already found."""
        return self.limit

    def add(self, rows, matched: str) -> None:
        for row in rows:
            if self.full:
                return
            *columns, score = row
            if columns[0] in self.ids:
                continue
            self.ids.add(columns[0])
            self.hits.append(SearchHit(_view(columns), matched, float(score or 0.0), len(self.hits)))


def _view(columns) -> AttendeeView:
    id_, first, last, email, code, ticket_type, status, plus_ones, walkin, inside, arrival_id = columns
    return AttendeeView(id=id_, first_name=first, last_name=last, email=email, ticket_code=code,
                        ticket_type=ticket_type, status=status, plus_ones=plus_ones, is_walkin=bool(walkin),
                        inside=bool(inside), checked_in=arrival_id is not None)


def _by_code(conn: Connection, event_id: str, code: str) -> list[tuple]:
    # As typed first, then upper-cased (codes read aloud or typed by hand).
    return sorted(index.by_codes(conn, event_id, code, code.upper()), key=lambda row: row[4] != code)


# ---- the full-text index ------------------------------------------------------


def _words(text: str) -> list[str]:
    """The words of the text as the unicode61 tokenizer sees them (letters, digits, marks)."""
    words, current = [], []
    for ch in text:
        if ch.isalnum() or unicodedata.category(ch)[0] == "M":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [word[:64] for word in words[:MAX_WORDS]]


def _phrase(word: str, prefix: bool = True) -> str:
    """A word as an FTS5 string: quoted (quotes doubled), so it is never read as query syntax."""
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def _in_name(phrases: list[str]) -> str:
    return " AND ".join(f"name : {phrase}" for phrase in phrases)


def _count(conn: Connection, match: str, at_most: int = RANKED_LIMIT + 1) -> int:
    """How many index rows match, counting no further than ``at_most`` (a broad count stops early)."""
    return index.count_matches(conn, match, at_most)


def _by_words(conn: Connection, event_id: str, words: list[str], found: _Found) -> None:
    phrases = [_phrase(word) for word in words]
    name_match = _in_name(phrases)
    if _count(conn, name_match) > RANKED_LIMIT:
        _walk(conn, event_id, phrases[:-1], words[-1], 0, found)
        if not found.full:  # words going on with a letter the walk does not try (ø, ł, ß, ...)
            found.add(index.in_index_order(conn, event_id, name_match, found.room), MATCHED_NAME)
        return
    found.add(index.ranked(conn, event_id, name_match, found.room), MATCHED_NAME)
    if found.full:
        return
    # Every word somewhere, but not all of them in the name: some only in the email.
    anywhere = " AND ".join(phrases)
    if _count(conn, anywhere) <= RANKED_LIMIT:
        found.add(index.ranked(conn, event_id, f"({anywhere}) NOT ({name_match})", found.room), MATCHED_EMAIL_WORDS)


def _walk(conn: Connection, event_id: str, head: list[str], prefix: str, depth: int, found: _Found) -> None:
    """Name matches of ``head`` + a word starting with ``prefix``, in alphabetical order of that word."""
    match = _in_name([*head, _phrase(prefix)])
    count = _count(conn, match, WALK_SLICE_LIMIT + 1)
    if count == 0:
        return
    if count <= WALK_SLICE_LIMIT:
        found.add(index.alphabetical(conn, event_id, match, found.room), MATCHED_NAME)
        return
    if depth >= MAX_WALK_DEPTH:  # still thousands of one name: no order is affordable
        found.add(index.in_index_order(conn, event_id, match, found.room), MATCHED_NAME)
        return
    whole_word = _in_name([*head, _phrase(prefix, prefix=False)])  # "li" itself before "lia", "lim", ...
    count = _count(conn, whole_word, WALK_SLICE_LIMIT + 1)
    if count:
        rank = index.alphabetical if count <= WALK_SLICE_LIMIT else index.in_index_order
        found.add(rank(conn, event_id, whole_word, found.room), MATCHED_NAME)
    # Names rarely hold digits: one query rules them all out before trying each letter.
    digits = " OR ".join(_phrase(prefix + digit) for digit in WALK_DIGITS)
    chars = WALK_LETTERS if not _count(conn, _in_name([*head, f"({digits})"]), 1) else WALK_DIGITS + WALK_LETTERS
    for char in chars:
        if found.full:
            return
        _walk(conn, event_id, head, prefix + char, depth + 1, found)
