"""The server's check-in log: idempotent batch push, verdicts from the shared ledger, the pull feed.

A pushed item is stored once, keyed by its client UUID; a retry stores nothing
and gets the current verdict. Verdicts come from :func:`sync.ledger.replay`
over the attendee's whole log on the server (ordered by device time), exactly
as a kiosk derives them, so every party converges on the same arrival and
duplicates. When a push changes which scan is the duplicate, the re-flagged
rows get a new sequence number so that every kiosk pulls them again.

This is the hot path of a 10,000-scan push: it works on plain rows and
executemany statements rather than ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from sync import wire
from sync.ledger import ADMITTED, ADMITTED_OVERRIDE, replay
from sync.server.errors import dumps
from sync.server.models import AttendeeRow, CheckinRow, RevocationRow
from sync.server.sequence import EventSequence
from sync.wire import format_utc

CHUNK = 500  # values per IN (...) list
MERGE_DEPTH = 5  # merges are one level deep; the bound guards against a cycle

_FIELDS = (
    "id", "event_id", "attendee_id", "pushed_attendee_id", "ticket_code", "kind", "result", "undoes_id",
    "device_id", "door", "operator", "device_time", "reason", "received_at", "pushed_by", "seq", "duplicate",
    "duplicate_of", "flag",
)
_COLUMNS = tuple(getattr(CheckinRow, name) for name in _FIELDS)
_ATTENDEE_COLUMNS = (
    AttendeeRow.id, AttendeeRow.ticket_code, AttendeeRow.merged_into_id, AttendeeRow.status,
    AttendeeRow.status_changed_at,
)


class Scan:
    """One row of the log in memory (what :func:`sync.ledger.replay` reads, and what is written back)."""

    __slots__ = _FIELDS

    def __init__(self, **values):
        for name in _FIELDS:
            setattr(self, name, values.get(name))

    @classmethod
    def from_row(cls, row) -> "Scan":
        scan = cls.__new__(cls)
        for name, value in zip(_FIELDS, row):
            setattr(scan, name, value)
        scan.duplicate = bool(scan.duplicate)
        return scan

    def values(self) -> dict:
        return {name: getattr(self, name) for name in _FIELDS}


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class AttendeeResolver:
    """Which attendee a scan counts for: by id (walk-in merges followed), else by ticket code."""

    def __init__(self, session: Session, event_id: str):
        self.session = session
        self.event_id = event_id
        self.by_id: dict = {}
        self.by_code: dict = {}

    def prefetch(self, ids: Iterable[str | None], codes: Iterable[str | None]) -> None:
        ids = {i for i in ids if i} - self.by_id.keys()
        codes = {c for c in codes if c}
        codes = (codes | {c.upper() for c in codes}) - self.by_code.keys()
        in_event = AttendeeRow.event_id == self.event_id
        for chunk in _chunks(ids):
            self._remember(select(*_ATTENDEE_COLUMNS).where(in_event, AttendeeRow.id.in_(chunk)))
        for chunk in _chunks(codes):
            self._remember(select(*_ATTENDEE_COLUMNS).where(in_event, AttendeeRow.ticket_code.in_(chunk)))
        for _ in range(MERGE_DEPTH):
            targets = {a.merged_into_id for a in self.by_id.values() if a.merged_into_id} - self.by_id.keys()
            if not targets:
                break
            for chunk in _chunks(targets):
                self._remember(select(*_ATTENDEE_COLUMNS).where(AttendeeRow.id.in_(chunk)))

    def _remember(self, query) -> None:
        for row in self.session.execute(query):
            self.by_id[row.id] = row
            self.by_code[row.ticket_code] = row

    def resolve(self, attendee_id: str | None, code: str | None):
        attendee = self.by_id.get(attendee_id) if attendee_id else None
        if attendee is None and code:
            attendee = self.by_code.get(code) or self.by_code.get(code.upper())
        for _ in range(MERGE_DEPTH):
            if attendee is None or not attendee.merged_into_id or attendee.merged_into_id not in self.by_id:
                break
            attendee = self.by_id[attendee.merged_into_id]
        return attendee


def _revocations(session: Session, event_id: str, codes: Iterable[str]) -> dict[str, datetime]:
    """Revoked codes among ``codes`` -> when they were revoked."""
    found = {}
    for chunk in _chunks({c for c in codes if c}):
        found.update(session.execute(
            select(RevocationRow.ticket_code, RevocationRow.updated_at).where(
                RevocationRow.event_id == event_id, RevocationRow.ticket_code.in_(chunk),
                RevocationRow.revoked.is_(True),
            )
        ).all())
    return found


def flag_for(scan: Scan, attendee, revoked: dict[str, datetime]) -> str:
    """Why the organizer should look at an admission the kiosk made offline ('' when nothing).

    A supervisor's forced check-in is always flagged as such (its reason says why)."""
    if scan.kind != "entry" or scan.result not in (ADMITTED, ADMITTED_OVERRIDE):
        return ""
    if attendee is None:
        return wire.FLAG_UNKNOWN_ATTENDEE
    if scan.result == ADMITTED_OVERRIDE:
        return wire.FLAG_ADMITTED_OVERRIDE

    def before_scan(changed_at: datetime | None) -> bool:
        return changed_at is None or changed_at <= scan.device_time

    revoked_at = revoked.get(attendee.ticket_code) or revoked.get(scan.ticket_code)
    if revoked_at is not None and before_scan(revoked_at):
        return wire.FLAG_ADMITTED_WHILE_REVOKED
    if attendee.status == "cancelled" and before_scan(attendee.status_changed_at):
        return wire.FLAG_ADMITTED_WHILE_CANCELLED
    if attendee.status == "waitlisted" and before_scan(attendee.status_changed_at):
        return wire.FLAG_ADMITTED_WHILE_WAITLISTED
    return ""


def replay_attendees(
    session: Session, attendee_ids: Iterable[str], sequence: EventSequence, numbered: set[str],
    known: dict[str, Scan] | None = None,
) -> None:
    """Re-derive duplicates and the inside/arrival cache of these attendees from their whole log.

    Rows whose duplicate flag changes get a new seq, unless already numbered in this
    transaction. ``known`` scans (this transaction's) are updated in place.
    """
    known = known or {}
    scan_updates, attendee_updates = [], []
    for chunk in _chunks(set(attendee_ids)):
        scans_by_attendee: dict[str, list[Scan]] = defaultdict(list)
        for row in session.execute(select(*_COLUMNS).where(CheckinRow.attendee_id.in_(chunk))):
            scans_by_attendee[row.attendee_id].append(known.get(row.id) or Scan.from_row(row))
        cached = {
            row.id: (bool(row.inside), row.arrival_id)
            for row in session.execute(
                select(AttendeeRow.id, AttendeeRow.inside, AttendeeRow.arrival_id).where(AttendeeRow.id.in_(chunk))
            )
        }
        for attendee_id in chunk:
            scans = scans_by_attendee.get(attendee_id, [])
            state = replay(scans)
            for scan in scans:
                duplicate = scan.id in state.duplicate_ids
                duplicate_of = state.arrival_id if duplicate else None
                if scan.duplicate != duplicate or scan.duplicate_of != duplicate_of:
                    scan.duplicate, scan.duplicate_of = duplicate, duplicate_of
                    if scan.id not in numbered:
                        scan.seq = sequence.next()
                        numbered.add(scan.id)
                    scan_updates.append(
                        {"id": scan.id, "duplicate": duplicate, "duplicate_of": duplicate_of, "seq": scan.seq})
            if attendee_id in cached and cached[attendee_id] != (state.inside, state.arrival_id):
                attendee_updates.append({"id": attendee_id, "inside": state.inside, "arrival_id": state.arrival_id})
    _update_by_id(session, CheckinRow, scan_updates)
    _update_by_id(session, AttendeeRow, attendee_updates)


def _update_by_id(session: Session, model, rows: list[dict]) -> None:
    """One executemany ``UPDATE ... WHERE id = ?`` (Core: the ORM's per-row bookkeeping costs more)."""
    if not rows:
        return
    table = model.__table__
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(f"_{name}") for name in columns})
    )
    session.connection().execute(statement, [{f"_{k}": v for k, v in row.items()} for row in rows])


def _same(scan: Scan, item: wire.CheckinItem) -> bool:
    """Whether a pushed item is a retry of a stored scan.

    The device is not compared: a scan keeps the device that first stored it, and a
    kiosk enrolled again (a new device id) retrying a push whose reply it lost must
    hear that its scan is stored, not that it conflicts.
    """
    return (
        scan.pushed_attendee_id == item.attendee_id
        and scan.ticket_code == (item.ticket_code or "")
        and scan.kind == item.kind
        and scan.result == item.result
        and scan.undoes_id == item.undoes_id
        and scan.door == item.door
        and scan.operator == item.operator
        and scan.device_time == item.device_time
        and scan.reason == item.reason
    )


def verdict_of(scan: Scan, already: bool) -> wire.CheckinVerdict:
    return wire.CheckinVerdict(
        id=scan.id,
        status="duplicate" if scan.duplicate else "accepted",
        seq=scan.seq,
        received_at=scan.received_at,
        attendee_id=scan.attendee_id,
        duplicate_of=scan.duplicate_of,
        flag=scan.flag,
        already_received=already,
    )


def _rejected(item_id: str, code: str, message: str) -> wire.CheckinVerdict:
    return wire.CheckinVerdict(id=item_id, status="rejected", reason=wire.Rejection(code=code, message=message))


def push_checkins(
    session: Session, event_id: str, items: list[wire.CheckinItem], pushed_by: str | None, now: datetime
) -> list[wire.CheckinVerdict]:
    """Store the new scans and answer one verdict per item, in order.

    ``pushed_by`` is the device of the token that pushed them (None for an organizer):
    a device's scans are stored under its own id, whatever id it put in them.
    """
    sequence = EventSequence(session, event_id)  # the event's lock: taken before reading anything
    stored: dict[str, Scan] = {}
    for chunk in _chunks({item.id for item in items}):
        for row in session.execute(select(*_COLUMNS).where(CheckinRow.id.in_(chunk))):
            stored[row.id] = Scan.from_row(row)
    stored_before = set(stored)
    resolver = AttendeeResolver(session, event_id)
    resolver.prefetch((i.attendee_id for i in items), (i.ticket_code for i in items))
    revoked = _revocations(session, event_id,
        [i.ticket_code for i in items] + [a.ticket_code for a in resolver.by_id.values()])

    outcomes: list[tuple[str, Scan | wire.CheckinVerdict]] = []
    new_scans: list[Scan] = []
    touched: set[str] = set()
    for item in items:
        if item.event_id != event_id:
            outcomes.append((item.id, _rejected(item.id, "wrong_event",
                f"This check-in is for event {item.event_id}, not {event_id}.")))
            continue
        scan = stored.get(item.id)
        if scan is not None:
            if scan.event_id != event_id or not _same(scan, item):
                outcomes.append((item.id, _rejected(item.id, "id_conflict",
                    "A different check-in with this id was stored before.")))
            else:
                outcomes.append((item.id, scan))
            continue
        attendee = resolver.resolve(item.attendee_id, item.ticket_code)
        scan = Scan(
            id=item.id, event_id=event_id, attendee_id=attendee.id if attendee else None,
            pushed_attendee_id=item.attendee_id, ticket_code=item.ticket_code or "", kind=item.kind,
            result=item.result, undoes_id=item.undoes_id, device_id=pushed_by or item.device_id, door=item.door,
            operator=item.operator, device_time=item.device_time, reason=item.reason, received_at=now,
            pushed_by=pushed_by,
            seq=sequence.next(), duplicate=False, duplicate_of=None,
        )
        scan.flag = flag_for(scan, attendee, revoked)
        stored[scan.id] = scan
        new_scans.append(scan)
        if attendee is not None:
            touched.add(attendee.id)
        outcomes.append((item.id, scan))
    for chunk in _chunks(new_scans, 1000):
        session.execute(insert(CheckinRow.__table__), [scan.values() for scan in chunk])
    replay_attendees(session, touched, sequence, {s.id for s in new_scans}, known=stored)
    sequence.save()
    return [
        outcome if isinstance(outcome, wire.CheckinVerdict) else verdict_of(outcome, item_id in stored_before)
        for item_id, outcome in outcomes
    ]


def link_orphans(
    session: Session, event_id: str, sequence: EventSequence,
    ids: set[str] | None = None, codes: set[str] | None = None,
) -> int:
    """Attach stored scans whose attendee the server did not know to attendees it now knows.

    ``ids``/``codes`` narrow the search to scans pushed with those attendee ids or codes.
    """
    query = select(*_COLUMNS).where(CheckinRow.event_id == event_id, CheckinRow.attendee_id.is_(None))
    orphans: dict[str, Scan] = {}
    if ids is None and codes is None:
        queries = [query]
    else:
        queries = [query.where(CheckinRow.pushed_attendee_id.in_(chunk)) for chunk in _chunks(ids or ())]
        queries += [query.where(CheckinRow.ticket_code.in_(chunk)) for chunk in _chunks(codes or ())]
    for each in queries:
        for row in session.execute(each):
            orphans[row.id] = Scan.from_row(row)
    if not orphans:
        return 0
    resolver = AttendeeResolver(session, event_id)
    resolver.prefetch((o.pushed_attendee_id for o in orphans.values()), (o.ticket_code for o in orphans.values()))
    revoked = _revocations(session, event_id, [o.ticket_code for o in orphans.values()]
                           + [a.ticket_code for a in resolver.by_id.values()])
    linked: dict[str, Scan] = {}
    touched: set[str] = set()
    for scan in orphans.values():
        attendee = resolver.resolve(scan.pushed_attendee_id, scan.ticket_code)
        if attendee is None:
            continue
        scan.attendee_id = attendee.id
        scan.flag = flag_for(scan, attendee, revoked)
        scan.seq = sequence.next()
        linked[scan.id] = scan
        touched.add(attendee.id)
    if linked:
        _update_by_id(session, CheckinRow, [
            {"id": s.id, "attendee_id": s.attendee_id, "flag": s.flag, "seq": s.seq} for s in linked.values()
        ])
        replay_attendees(session, touched, sequence, set(linked), known=linked)
    return len(linked)


# ---- the pull feed ------------------------------------------------------------------------


# A log entry's fields, in the wire model's order: each is a column of the same name.
_LOG_ENTRY_FIELDS = tuple(wire.CheckinLogEntry.model_fields)
_LOG_ENTRY_COLUMNS = tuple(getattr(CheckinRow, name) for name in _LOG_ENTRY_FIELDS)


def checkin_page_json(
    session: Session, event_id: str, cursor: int, limit: int, high_water: int,
) -> tuple[str, bool, int]:
    """The ``CheckinPage`` JSON after ``cursor``, has_more, high water.

    Each item has exactly ``wire.CheckinLogEntry``'s fields, read from the columns of the
    same names (built by hand: this is the path of every kiosk's pull).
    """
    rows = session.execute(
        select(*_LOG_ENTRY_COLUMNS)
        .where(CheckinRow.event_id == event_id, CheckinRow.seq > cursor)
        .order_by(CheckinRow.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for row in rows:
        item = dict(zip(_LOG_ENTRY_FIELDS, row))
        item["device_time"] = format_utc(item["device_time"])
        item["received_at"] = format_utc(item["received_at"])
        item["duplicate"] = bool(item["duplicate"])
        items.append(item)
    next_cursor = rows[-1].seq if rows else cursor
    high_water = max(high_water, next_cursor)
    page = dumps({"items": items, "next_cursor": next_cursor, "has_more": has_more, "high_water_seq": high_water})
    return page, has_more, high_water
