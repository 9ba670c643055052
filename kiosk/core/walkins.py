"""Walk-in registration: someone without a ticket, registered and checked in on the spot."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from email_validator import EmailNotValidError, validate_email

from kiosk.core.desk import CheckinDesk, Resolution
from kiosk.core.payload import clean
from kiosk.core.results import AttendeeView, Decision, Result
from sync import outbox
from sync.clock import to_sqlite, utcnow
from sync.person_names import same_person
from sync.replica import Replica
from sync.replica.queries import attendees, raw

MAX_NAME_CHARS = 100
# No 0/O or 1/I: badges get read aloud and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class WalkinOutcome:
    created: bool
    reason: str
    attendee: AttendeeView | None = None  # the new walk-in
    decision: Decision | None = None  # its check-in
    existing: AttendeeView | None = None  # the roster attendee with the same e-mail, offered instead


def normalise_email(email: str | None) -> str | None:
    email = clean(email)
    return email.lower() if email else None


def validate_walkin(first_name: str | None, last_name: str | None, email: str | None) -> dict[str, str]:
    """Field -> problem, in plain words; empty when the form may be submitted."""
    problems = {}
    first, last = clean(first_name), clean(last_name)
    if not first:
        problems["first_name"] = "A first name is needed."
    elif len(first) > MAX_NAME_CHARS:
        problems["first_name"] = f"At most {MAX_NAME_CHARS} characters."
    if len(last) > MAX_NAME_CHARS:
        problems["last_name"] = f"At most {MAX_NAME_CHARS} characters."
    email = clean(email)
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as exc:
            problems["email"] = f"This e-mail address is not valid: {exc}"
    return problems


def new_ticket_code() -> str:
    return "W-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def register_walkin(
    replica: Replica,
    first_name: str,
    last_name: str = "",
    email: str | None = None,
    *,
    door: str = "",
    operator: str = "",
    ticket_type: str = "Walk-in",
    clock: Callable[[], datetime] = utcnow,
    desk: CheckinDesk | None = None,
) -> WalkinOutcome:
    """Create the attendee, their ticket and their check-in in one transaction.

    Someone already on the roster with this e-mail and this name (ignoring accents and
    case) creates nothing: that attendee is offered instead. Another name with the same
    e-mail (a family, a shared office address) is another person, registered as such.
    """
    problems = validate_walkin(first_name, last_name, email)
    if problems:
        return WalkinOutcome(False, " ".join(problems.values()))
    desk = desk or CheckinDesk(replica, door=door, operator=operator, clock=clock)
    if desk.event_id is None:
        return WalkinOutcome(False, "No event is loaded on this kiosk.")
    email = normalise_email(email)
    with replica.session() as s:
        db = raw(s)
        if email:
            existing = next((a for a in attendees.all_by_email(db, desk.event_id, email)
                             if same_person(a.first_name, a.last_name, first_name, last_name)), None)
            if existing is not None:
                return WalkinOutcome(
                    False,
                    f"{existing.full_name} is already registered with this e-mail.",
                    existing=AttendeeView.of(existing),
                )
        code = new_ticket_code()
        while attendees.code_in_event(db, desk.event_id, code):
            code = new_ticket_code()
        now = desk.clock()
        # Built once, as the wire item the server will receive; the roster row is made from it.
        walkin = outbox.new_walkin_item(
            id=str(uuid.uuid4()),
            event_id=desk.event_id,
            first_name=clean(first_name),
            last_name=clean(last_name),
            email=email,
            ticket_code=code,
            ticket_type=ticket_type,
            plus_ones=0,
            device_id=desk.device_id,
            created_at=now,
        )
        attendees.insert_walkin(db, walkin, to_sqlite(now))
        # Queued before its check-in: the server must know the walk-in first.
        outbox.enqueue(db, outbox.WALKIN, walkin.id, walkin)
        decision = desk.decide_in(db, Resolution(attendees.by_id(db, walkin.id)), "entry", code)
    ok = decision.result == Result.ADMITTED
    return WalkinOutcome(ok, decision.reason, decision.attendee, decision)
