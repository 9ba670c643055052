"""Walk-in RSVPs made at a kiosk: idempotent on their client UUID, merged by e-mail and name.

A walk-in whose e-mail AND name match an attendee of the event (not cancelled,
not itself merged) is stored with ``merged_into_id`` pointing at that canonical
attendee; scans pushed with the walk-in's id count for the canonical one. Names
match ignoring case, accents and spacing (sync.person_names).
Two people sharing one e-mail (a family, a shared office address: Eve and
Evelyn) stay two attendees, and both count.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import wire
from sync.person_names import folded_name
from sync.server.checkins import MERGE_DEPTH, link_orphans
from sync.server.events import TicketSigner
from sync.server.models import AttendeeRow
from sync.server.roster import attendee_to_wire
from sync.server.sequence import EventSequence

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _fresh_code(session: Session, event_id: str) -> str:
    while True:
        code = "W-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        taken = session.scalar(select(AttendeeRow.id).where(AttendeeRow.event_id == event_id,
            AttendeeRow.ticket_code == code))
        if taken is None:
            return code


def _canonical_for(session: Session, event_id: str, email: str, name: str, walkin_id: str) -> AttendeeRow | None:
    """The attendee this walk-in is: the same e-mail and the same (folded) name, oldest RSVP first."""
    candidates = session.scalars(
        select(AttendeeRow)
        .where(
            AttendeeRow.event_id == event_id,
            AttendeeRow.email == email,
            AttendeeRow.merged_into_id.is_(None),
            AttendeeRow.status != "cancelled",
            AttendeeRow.id != walkin_id,
        )
        .order_by(AttendeeRow.is_walkin, AttendeeRow.created_at, AttendeeRow.id)
        .limit(100)  # one e-mail is shared by a family or an office, not by hundreds
    )
    return next((row for row in candidates if folded_name(row.first_name, row.last_name) == name), None)


def _canonical_of(session: Session, attendee: AttendeeRow) -> AttendeeRow:
    for _ in range(MERGE_DEPTH):
        if not attendee.merged_into_id:
            break
        target = session.get(AttendeeRow, attendee.merged_into_id)
        if target is None:
            break
        attendee = target
    return attendee


def _rejected(item_id: str, code: str, message: str) -> wire.WalkinVerdict:
    return wire.WalkinVerdict(id=item_id, status="rejected", reason=wire.Rejection(code=code, message=message))


def push_walkins(
    session: Session, event_id: str, items: list[wire.WalkinItem], pushed_by: str | None, now: datetime
) -> list[wire.WalkinVerdict]:
    """Store the new walk-ins (merged by e-mail and name) and answer one verdict per item, in order.

    ``pushed_by`` is the device of the token that pushed them (None for an organizer):
    a device's walk-ins are recorded as made by it, whatever id it put in them.
    """
    sequence = EventSequence(session, event_id)
    signer = TicketSigner(session, event_id)
    results: list[tuple[str, AttendeeRow | wire.WalkinVerdict, bool]] = []
    new_ids: set[str] = set()
    new_codes: set[str] = set()
    for item in items:
        if item.event_id != event_id:
            results.append((item.id, _rejected(item.id, "wrong_event",
                f"This walk-in is for event {item.event_id}, not {event_id}."), False))
            continue
        existing = session.get(AttendeeRow, item.id)
        if existing is not None:
            if existing.event_id != event_id or not existing.is_walkin:
                results.append((item.id, _rejected(item.id, "id_conflict", "Another attendee already has this id."),
                    False))
            else:
                results.append((item.id, existing, item.id not in new_ids))
            continue
        email = (item.email or "").strip().lower() or None
        name = folded_name(item.first_name, item.last_name)
        canonical = _canonical_for(session, event_id, email, name, item.id) if email else None
        code = item.ticket_code
        if session.scalar(select(AttendeeRow.id).where(AttendeeRow.event_id == event_id,
            AttendeeRow.ticket_code == code)):
            code = _fresh_code(session, event_id)  # the kiosk's code was taken: the verdict carries the new one
        row = AttendeeRow(
            id=item.id, event_id=event_id, first_name=item.first_name, last_name=item.last_name, email=email,
            status="confirmed", ticket_code=code, ticket_type=item.ticket_type or "General",
            plus_ones=item.plus_ones, is_walkin=True, merged_into_id=canonical.id if canonical else None,
            created_by_device=pushed_by or item.device_id, seq=sequence.next(), created_at=item.created_at,
            updated_at=now, inside=False,
        )
        session.add(row)
        session.flush()
        new_ids.add(item.id)
        new_codes.update({item.ticket_code, code})
        results.append((item.id, row, False))
    if new_ids:
        link_orphans(session, event_id, sequence, ids=new_ids, codes=new_codes)
    sequence.save()

    verdicts = []
    for item_id, outcome, already in results:
        if isinstance(outcome, wire.WalkinVerdict):
            verdicts.append(outcome)
            continue
        canonical = _canonical_of(session, outcome)
        verdicts.append(wire.WalkinVerdict(
            id=item_id, status="accepted", merged=outcome.merged_into_id is not None, already_received=already,
            attendee=attendee_to_wire(canonical, signer.sign(canonical)), walkin=attendee_to_wire(outcome),
        ))
    return verdicts
