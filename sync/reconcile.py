"""Applying what the server says to the replica: roster pages, the check-in log, verdicts.

Each function works inside the caller's transaction, so a page and the cursor
that follows it commit together or not at all. Rows are written in bulk
(executemany) because an initial download is 100,000 attendees.

After any change to who a check-in belongs to, the attendees concerned are
re-derived with :func:`sync.ledger.refresh_attendee`, the same rule the
server applies, so every party converges on one view.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Iterable

from sqlalchemy.orm import Session

from sync import wire
from sync.ledger import refresh_attendee, replay
from sync.replica.queries import attendees, checkins, events, outbox, raw, revoked_tickets, signing_keys

log = logging.getLogger(__name__)

_FLAG_MAX = 64


@dataclass
class PushCounts:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    merged: int = 0
    rejections: list[str] = field(default_factory=list)  # "id: reason" for the log and the report


# ---- event and keys ------------------------------------------------------------


def _event_snapshot(s: Session, event_id: str) -> tuple:
    return events.snapshot(s, event_id), signing_keys.of_event(s, event_id)


def apply_event(s: Session, event: wire.Event) -> bool:
    """Store the event and its signing keys; True when anything the replica held changed."""
    before = _event_snapshot(s, event.id)
    row = {
        "id": event.id,
        "name": event.name,
        "venue_capacity": event.venue_capacity,
        "timezone": event.timezone,
        "starts_at": event.starts_at,
        "status": event.status,
        "settings_json": json.dumps(event.settings, sort_keys=True),
    }
    events.upsert(s, row)
    for key in event.signing_keys:
        signing_keys.upsert(s, event.id, key.key_id, key.public_key, key.active)
    # A key the server no longer lists signs nothing valid any more.
    signing_keys.deactivate_unlisted(s, event.id, {key.key_id for key in event.signing_keys})
    return _event_snapshot(s, event.id) != before


# ---- roster --------------------------------------------------------------------


# The wire fields of a staged row (sync.replica.queries.attendees.STAGED_COLUMNS), then the two times.
_PLAIN_COLUMNS = ("id", "event_id", "first_name", "last_name", "email", "status", "ticket_code",
                  "ticket_type", "plus_ones", "is_walkin", "merged_into_id", "seq")
_plain_fields = attrgetter(*_PLAIN_COLUMNS)  # one C call per row: 100,000 rows in an initial download


_time_texts: dict[datetime, str] = {}  # see _db_time


def _db_time(moment: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores and parses back. Rows imported
    # together share their times, so a small cache saves most of the formatting.
    text = _time_texts.get(moment)
    if text is None:
        if len(_time_texts) > 10_000:
            _time_texts.clear()
        text = _time_texts[moment] = moment.isoformat(sep=" ", timespec="microseconds")
    return text


def _staged_row(change: wire.AttendeeChange) -> tuple:
    return (*_plain_fields(change), _db_time(change.created_at), _db_time(change.updated_at))


def upsert_attendees(s: Session, changes: list[wire.AttendeeChange]) -> set[str]:
    """Insert or update attendees as the server has them; returns ids whose check-ins need re-deriving.

    The rows go to a temporary staging table first, then into ``attendees`` with
    one INSERT ... SELECT: the search index's triggers then run inside a single
    statement, and FTS5 writes its index once per page instead of once per row
    (five times faster for an initial download of 100,000 attendees).
    """
    if not changes:
        return set()
    latest: dict[str, wire.AttendeeChange] = {}
    for change in changes:  # a page may hold the same attendee twice: the later seq wins
        latest[change.id] = change
    changes = list(latest.values())
    conn = raw(s)
    attendees.stage(conn, [_staged_row(c) for c in changes])
    _free_ticket_codes(conn)
    attendees.upsert_staged(conn)  # unchanged rows are not rewritten (nor re-indexed for search)
    touched: set[str] = set()
    for change in changes:
        if change.merged_into_id:
            touched |= repoint_checkins(s, change.id, change.merged_into_id)
    # Check-ins already in the log for attendees that just arrived (pulled before them).
    touched |= attendees.staged_with_checkins(conn)
    attendees.clear_staged(conn)
    return touched


def _free_ticket_codes(conn) -> None:
    """A local-only attendee holding a code the server gives to someone else keeps its
    check-ins but takes a suffixed code, so the server's row can be stored."""
    for attendee_id, code, owner in attendees.staged_code_clashes(conn):
        moved = f"{code}#{attendee_id[:8]}"[:128]
        log.warning("ticket code %s is %s's on the server; local attendee %s now holds %s",
                    code, owner, attendee_id, moved)
        attendees.set_ticket_code(conn, attendee_id, moved)


def apply_revocations(s: Session, changes: list[wire.RevocationChange]) -> None:
    for change in changes:
        if change.revoked:
            revoked_tickets.revoke(s, change.event_id, change.ticket_code, change.reason)
        else:
            revoked_tickets.reinstate(s, change.event_id, change.ticket_code)


def apply_roster_page(s: Session, page: wire.RosterPage) -> int:
    """One page of roster changes, in order; returns the number of changes."""
    attendees = [c for c in page.items if isinstance(c, wire.AttendeeChange)]
    revocations = [c for c in page.items if isinstance(c, wire.RevocationChange)]
    touched = upsert_attendees(s, attendees)
    apply_revocations(s, revocations)
    refresh_all(s, touched)
    return len(page.items)


# ---- merges --------------------------------------------------------------------


def repoint_checkins(s: Session, from_id: str, to_id: str) -> set[str]:
    """Make the check-ins of a merged walk-in count for the canonical attendee."""
    if from_id == to_id:
        return set()
    moved = checkins.repoint(s, from_id, to_id)
    return {from_id, to_id} if moved else set()


def merge_walkin(s: Session, walkin_id: str, canonical_id: str) -> set[str]:
    attendees.set_merged_into(s, walkin_id, canonical_id)
    return repoint_checkins(s, walkin_id, canonical_id) | {walkin_id, canonical_id}


def refresh_all(s: Session, attendee_ids: Iterable[str | None]) -> None:
    """:func:`sync.ledger.refresh_attendee` for many attendees, with one read per 5,000 of them.

    The same rule (``ledger.replay``), batched: a pull of thousands of scans from
    other kiosks must not cost two queries per attendee.
    """
    ids = sorted(a for a in set(attendee_ids) if a)
    if len(ids) <= 20:
        for attendee_id in ids:
            refresh_attendee(s, attendee_id)
        return
    for chunk in _chunks(ids, 5000):
        scans: dict[str, list] = {attendee_id: [] for attendee_id in chunk}
        for row in checkins.scans_of_attendees(s, chunk):
            scans[row.attendee_id].append(row)
        flag_changes, attendee_rows = [], []
        for attendee_id, attendee_scans in scans.items():
            state = replay(attendee_scans)
            for scan in attendee_scans:
                is_dup = scan.id in state.duplicate_ids
                if scan.duplicate != is_dup:
                    flag_changes.append({"id": scan.id, "duplicate": is_dup})
            attendee_rows.append({"id": attendee_id, "inside": state.inside, "arrival_id": state.arrival_id})
        if flag_changes:
            checkins.update_by_id(s, flag_changes)
        present = attendees.existing_ids(s, chunk)
        attendee_rows = [row for row in attendee_rows if row["id"] in present]
        if attendee_rows:
            attendees.set_cached_states(s, attendee_rows)


# ---- the check-in log ------------------------------------------------------------


def apply_checkin_page(s: Session, page: wire.CheckinPage) -> int:
    """Upsert other kiosks' scans (and the server's view of ours); returns the number of entries."""
    entries: dict[str, wire.CheckinLogEntry] = {e.id: e for e in page.items}
    if not entries:
        return 0
    known: dict[str, str | None] = {}
    for chunk in _chunks(list(entries), 5000):
        known.update(checkins.attendee_ids(s, chunk))
    touched: set[str | None] = set()
    new_rows, updates = [], []
    for entry in entries.values():
        server_fields = {
            "server_seq": entry.seq,
            "server_received_at": entry.received_at,
            "flag": entry.flag[:_FLAG_MAX],
        }
        if entry.id in known:
            local_attendee = known[entry.id]
            # The server's canonical attendee (merges followed) wins; None means it knows none yet.
            attendee_id = entry.attendee_id or local_attendee
            updates.append({"id": entry.id, "attendee_id": attendee_id, **server_fields})
            if attendee_id != local_attendee:
                touched.update((attendee_id, local_attendee))
        else:
            new_rows.append({
                "id": entry.id,
                "event_id": entry.event_id,
                "attendee_id": entry.attendee_id,
                "scanned_code": (entry.ticket_code or "")[:128],
                "kind": entry.kind,
                "result": entry.result,
                "undoes_id": entry.undoes_id,
                "device_id": entry.device_id,
                "door": entry.door,
                "operator": entry.operator,
                "device_time": entry.device_time,
                "reason": entry.reason,
                "duplicate": entry.duplicate,
                **server_fields,
            })
            touched.add(entry.attendee_id)
    if new_rows:
        checkins.insert_pulled(s, new_rows)
    if updates:
        checkins.update_by_id(s, updates)
    refresh_all(s, touched)
    return len(entries)


# ---- push verdicts -------------------------------------------------------------


def _reason(rejection: wire.Rejection | None) -> str:
    return f"{rejection.code}: {rejection.message}" if rejection else "rejected without a reason"


def apply_checkin_verdicts(s: Session, rows: list, verdicts: list[wire.CheckinVerdict], now: datetime) -> PushCounts:
    """Record the server's verdict on each pushed check-in and mark its outbox row sent.

    ``rows`` are the outbox rows pushed (``id``, ``attempts``), in the order of ``verdicts``.
    Written with plain executemany: a 10,000-scan push is 10,000 rows of each table.
    """
    counts = PushCounts()
    local = checkins.attendee_ids(s, [v.id for v in verdicts])
    stored, flagged, repointed, sent, touched = [], [], [], [], set()
    sent_at = _db_time(now)
    for row, verdict in zip(rows, verdicts):
        error = ""
        if verdict.status == "rejected":
            counts.rejected += 1
            error = _reason(verdict.reason)
            counts.rejections.append(f"check-in {verdict.id}: {error}")
            if verdict.id in local:
                code = verdict.reason.code if verdict.reason else "unknown"
                flagged.append((f"rejected:{code}"[:_FLAG_MAX], verdict.id))
        else:
            counts.accepted += verdict.status == "accepted"
            counts.duplicates += verdict.status == "duplicate"
            if verdict.id in local:
                received = _db_time(verdict.received_at) if verdict.received_at else None
                stored.append((verdict.seq, received, verdict.flag[:_FLAG_MAX], verdict.id))
                canonical = verdict.attendee_id
                if canonical and canonical != local[verdict.id] and _exists(s, canonical):
                    # The server counts it for another attendee (a merged walk-in): so do we.
                    repointed.append((canonical, verdict.id))
                    touched.update((canonical, local[verdict.id]))
        sent.append((sent_at, row.attempts + 1, error, row.id))
    conn = raw(s)
    if stored:
        checkins.store_verdicts(conn, stored)
    if flagged:
        checkins.set_flags(conn, flagged)
    if repointed:
        checkins.set_attendees(conn, repointed)
    outbox.mark_sent(conn, sent)
    refresh_all(s, touched)
    return counts


def apply_walkin_verdicts(s: Session, rows: list, verdicts: list[wire.WalkinVerdict], now: datetime) -> PushCounts:
    """Store the server's record of each walk-in; follow merges into an existing RSVP."""
    counts = PushCounts()
    outbox_updates, touched, sent_at = [], set(), _db_time(now)
    for row, verdict in zip(rows, verdicts):
        error = ""
        if verdict.status == "rejected":
            counts.rejected += 1
            error = _reason(verdict.reason)
            counts.rejections.append(f"walk-in {verdict.id}: {error}")
        else:
            counts.accepted += 1
            records = [r for r in (verdict.walkin, verdict.attendee) if r is not None]
            touched |= upsert_attendees(s, records)
            canonical = verdict.attendee.id if verdict.attendee else None
            if verdict.merged and canonical and canonical != verdict.id:
                counts.merged += 1
                touched |= merge_walkin(s, verdict.id, canonical)
        outbox_updates.append((sent_at, row.attempts + 1, error, row.id))
    outbox.mark_sent(s, outbox_updates)
    refresh_all(s, touched)
    return counts


def mark_refused(s: Session, rows: list, reason: str, now: datetime) -> None:
    """Items that can never be accepted (invalid, or refused one by one): kept in the log, flagged, not retried."""
    sent_at = _db_time(now)
    for row in rows:
        outbox.mark_refused(s, row.id, row.attempts + 1, sent_at, reason)
        if row.kind == "checkin":
            checkins.set_flags(s, [("rejected:refused", row.ref_id)])


def note_failure(s: Session, rows: list, error: str) -> None:
    """A push that got no verdict: the rows stay queued; remember why for the status screen."""
    outbox.note_failure(s, [r.id for r in rows], error)


# ---- helpers ---------------------------------------------------------------------


def _exists(s: Session, attendee_id: str) -> bool:
    return attendees.exists(s, attendee_id)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
