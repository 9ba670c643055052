"""The server's check-in log: idempotent batch push, verdicts from the shared ledger, the pull feed.

A pushed item is stored once, keyed by its client UUID; a retry stores nothing
and gets the current verdict. Verdicts come from :func:`sync.ledger.replay`
over the attendee's whole log on the server (ordered by device time), exactly
as a kiosk derives them, so every party converges on the same arrival and
duplicates. When a push changes which scan is the duplicate, the re-flagged
rows get a new sequence number so that every kiosk pulls them again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import wire
from sync.ledger import ADMITTED, replay
from sync.server.models import AttendeeRow, CheckinRow, RevocationRow
from sync.server.sequence import EventSequence

CHUNK = 500
MERGE_DEPTH = 5  # merges are one level deep; the bound guards against a cycle


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class AttendeeResolver:
    """Which attendee a scan counts for: by id (walk-in merges followed), else by ticket code."""

    def __init__(self, session: Session, event_id: str):
        self.session = session
        self.event_id = event_id
        self.by_id: dict[str, AttendeeRow] = {}
        self.by_code: dict[str, AttendeeRow] = {}

    def prefetch(self, ids: Iterable[str | None], codes: Iterable[str | None]) -> None:
        ids = {i for i in ids if i} - self.by_id.keys()
        codes = {c for c in codes if c}
        codes |= {c.upper() for c in codes}
        codes -= self.by_code.keys()
        for chunk in _chunks(ids):
            self._remember(self.session.scalars(
                select(AttendeeRow).where(AttendeeRow.event_id == self.event_id, AttendeeRow.id.in_(chunk))))
        for chunk in _chunks(codes):
            self._remember(self.session.scalars(
                select(AttendeeRow).where(AttendeeRow.event_id == self.event_id, AttendeeRow.ticket_code.in_(chunk))))
        targets = {a.merged_into_id for a in self.by_id.values() if a.merged_into_id} - self.by_id.keys()
        for chunk in _chunks(targets):
            self._remember(self.session.scalars(select(AttendeeRow).where(AttendeeRow.id.in_(chunk))))

    def _remember(self, rows) -> None:
        for row in rows:
            self.by_id[row.id] = row
            self.by_code[row.ticket_code] = row

    def resolve(self, attendee_id: str | None, code: str | None) -> AttendeeRow | None:
        attendee = self.by_id.get(attendee_id) if attendee_id else None
        if attendee is None and code:
            attendee = self.by_code.get(code) or self.by_code.get(code.upper())
        for _ in range(MERGE_DEPTH):
            if attendee is None or not attendee.merged_into_id:
                break
            target = self.by_id.get(attendee.merged_into_id) or self.session.get(AttendeeRow, attendee.merged_into_id)
            if target is None:
                break
            attendee = target
        return attendee


def _revocations(session: Session, event_id: str, codes: Iterable[str]) -> dict[str, RevocationRow]:
    found = {}
    for chunk in _chunks({c for c in codes if c}):
        for row in session.scalars(select(RevocationRow).where(
            RevocationRow.event_id == event_id, RevocationRow.ticket_code.in_(chunk), RevocationRow.revoked.is_(True)
        )):
            found[row.ticket_code] = row
    return found


def flag_for(row: CheckinRow, attendee: AttendeeRow | None, revoked: dict[str, RevocationRow]) -> str:
    """Why the organizer should look at an admission the kiosk made offline ('' when nothing)."""
    if row.kind != "entry" or row.result != ADMITTED:
        return ""
    if attendee is None:
        return wire.FLAG_UNKNOWN_ATTENDEE

    def before_scan(changed_at: datetime | None) -> bool:
        return changed_at is None or changed_at <= row.device_time

    revocation = revoked.get(attendee.ticket_code) or revoked.get(row.ticket_code)
    if revocation is not None and before_scan(revocation.updated_at):
        return wire.FLAG_ADMITTED_WHILE_REVOKED
    if attendee.status == "cancelled" and before_scan(attendee.status_changed_at):
        return wire.FLAG_ADMITTED_WHILE_CANCELLED
    if attendee.status == "waitlisted" and before_scan(attendee.status_changed_at):
        return wire.FLAG_ADMITTED_WHILE_WAITLISTED
    return ""


def replay_attendees(session: Session, attendee_ids: Iterable[str], sequence: EventSequence, numbered: set[str]) -> None:
    """Re-derive duplicates and the inside/arrival cache of these attendees from their whole log.

    Rows whose duplicate flag changes get a new seq, unless already numbered in this transaction.
    """
    for chunk in _chunks(set(attendee_ids)):
        scans_by_attendee: dict[str, list[CheckinRow]] = defaultdict(list)
        for scan in session.scalars(select(CheckinRow).where(CheckinRow.attendee_id.in_(chunk))):
            scans_by_attendee[scan.attendee_id].append(scan)
        attendees = {a.id: a for a in session.scalars(select(AttendeeRow).where(AttendeeRow.id.in_(chunk)))}
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
            attendee = attendees.get(attendee_id)
            if attendee is not None and (attendee.inside, attendee.arrival_id) != (state.inside, state.arrival_id):
                attendee.inside, attendee.arrival_id = state.inside, state.arrival_id
    session.flush()


def _same(row: CheckinRow, item: wire.CheckinItem) -> bool:
    return (
        row.pushed_attendee_id == item.attendee_id
        and row.ticket_code == (item.ticket_code or "")
        and row.kind == item.kind
        and row.result == item.result
        and row.undoes_id == item.undoes_id
        and row.device_id == item.device_id
        and row.door == item.door
        and row.operator == item.operator
        and row.device_time == item.device_time
    )


def verdict_of(row: CheckinRow, already: bool) -> wire.CheckinVerdict:
    return wire.CheckinVerdict(
        id=row.id,
        status="duplicate" if row.duplicate else "accepted",
        seq=row.seq,
        received_at=row.received_at,
        attendee_id=row.attendee_id,
        duplicate_of=row.duplicate_of,
        flag=row.flag,
        already_received=already,
    )


def _rejected(item_id: str, code: str, message: str) -> wire.CheckinVerdict:
    return wire.CheckinVerdict(id=item_id, status="rejected", reason=wire.Rejection(code=code, message=message))


def push_checkins(
    session: Session, event_id: str, items: list[wire.CheckinItem], pushed_by: str | None, now: datetime
) -> list[wire.CheckinVerdict]:
    sequence = EventSequence(session, event_id)  # the event's lock: taken before reading anything
    stored: dict[str, CheckinRow] = {}
    for chunk in _chunks({item.id for item in items}):
        for row in session.scalars(select(CheckinRow).where(CheckinRow.id.in_(chunk))):
            stored[row.id] = row
    stored_before = set(stored)
    resolver = AttendeeResolver(session, event_id)
    resolver.prefetch((i.attendee_id for i in items), (i.ticket_code for i in items))
    revoked = _revocations(session, event_id, [i.ticket_code for i in items] + [a.ticket_code for a in resolver.by_id.values()])

    outcomes: list[tuple[str, CheckinRow | wire.CheckinVerdict]] = []
    touched: set[str] = set()
    numbered: set[str] = set()
    for item in items:
        if item.event_id != event_id:
            outcomes.append((item.id, _rejected(item.id, "wrong_event", f"This check-in is for event {item.event_id}, not {event_id}.")))
            continue
        row = stored.get(item.id)
        if row is not None:
            if row.event_id != event_id or not _same(row, item):
                outcomes.append((item.id, _rejected(item.id, "id_conflict", "A different check-in with this id was stored before.")))
            else:
                outcomes.append((item.id, row))
            continue
        attendee = resolver.resolve(item.attendee_id, item.ticket_code)
        row = CheckinRow(
            id=item.id, event_id=event_id, attendee_id=attendee.id if attendee else None,
            pushed_attendee_id=item.attendee_id, ticket_code=item.ticket_code or "", kind=item.kind,
            result=item.result, undoes_id=item.undoes_id, device_id=item.device_id, door=item.door,
            operator=item.operator, device_time=item.device_time, received_at=now, pushed_by=pushed_by,
            seq=sequence.next(), duplicate=False, duplicate_of=None,
        )
        row.flag = flag_for(row, attendee, revoked)
        session.add(row)
        stored[row.id] = row
        numbered.add(row.id)
        if attendee is not None:
            touched.add(attendee.id)
        outcomes.append((item.id, row))
    session.flush()
    replay_attendees(session, touched, sequence, numbered)
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
    query = select(CheckinRow).where(CheckinRow.event_id == event_id, CheckinRow.attendee_id.is_(None))
    orphans: list[CheckinRow] = []
    if ids is None and codes is None:
        orphans = list(session.scalars(query))
    else:
        seen = set()
        for chunk in _chunks(ids or ()):
            orphans += [r for r in session.scalars(query.where(CheckinRow.pushed_attendee_id.in_(chunk))) if r.id not in seen and not seen.add(r.id)]
        for chunk in _chunks(codes or ()):
            orphans += [r for r in session.scalars(query.where(CheckinRow.ticket_code.in_(chunk))) if r.id not in seen and not seen.add(r.id)]
    if not orphans:
        return 0
    resolver = AttendeeResolver(session, event_id)
    resolver.prefetch((o.pushed_attendee_id for o in orphans), (o.ticket_code for o in orphans))
    revoked = _revocations(session, event_id, [o.ticket_code for o in orphans] + [a.ticket_code for a in resolver.by_id.values()])
    touched: set[str] = set()
    numbered: set[str] = set()
    for row in orphans:
        attendee = resolver.resolve(row.pushed_attendee_id, row.ticket_code)
        if attendee is None:
            continue
        row.attendee_id = attendee.id
        row.flag = flag_for(row, attendee, revoked)
        row.seq = sequence.next()
        numbered.add(row.id)
        touched.add(attendee.id)
    session.flush()
    replay_attendees(session, touched, sequence, numbered)
    return len(numbered)


# ---- the pull feed ------------------------------------------------------------------------


def entry_of(row: CheckinRow) -> wire.CheckinLogEntry:
    return wire.CheckinLogEntry(
        seq=row.seq, id=row.id, event_id=row.event_id, attendee_id=row.attendee_id,
        pushed_attendee_id=row.pushed_attendee_id, ticket_code=row.ticket_code, kind=row.kind, result=row.result,
        undoes_id=row.undoes_id, device_id=row.device_id, door=row.door, operator=row.operator,
        device_time=row.device_time, received_at=row.received_at, duplicate=row.duplicate,
        duplicate_of=row.duplicate_of, flag=row.flag,
    )


def checkin_page(session: Session, event_id: str, cursor: int, limit: int, high_water: int) -> wire.CheckinPage:
    rows = session.scalars(
        select(CheckinRow)
        .where(CheckinRow.event_id == event_id, CheckinRow.seq > cursor)
        .order_by(CheckinRow.seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1].seq if rows else cursor
    return wire.CheckinPage(
        items=[entry_of(r) for r in rows], next_cursor=next_cursor, has_more=has_more,
        high_water_seq=max(high_water, next_cursor),
    )
