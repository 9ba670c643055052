"""Queueing local changes for the central API.

Every row of the check-in log and every walk-in is queued in the same
transaction that records it, as the item the API's batch endpoints take. The
item *is* the wire model (``sync.wire.CheckinItem`` / ``WalkinItem``), built
without validation (``model_construct``: this is on the path of every scan) and
serialised by the model, so the queued keys are the model's fields and nothing
else; the sync engine validates each item before it is sent. Walk-ins are
queued before the check-ins that refer to them.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from sync import wire
from sync.clock import to_sqlite, utcnow
from sync.replica.queries import Db
from sync.replica.queries import outbox as outbox_table

CHECKIN = "checkin"
WALKIN = "walkin"
_CHECKIN_FIELDS = frozenset(wire.CheckinItem.model_fields)
_WALKIN_FIELDS = frozenset(wire.WalkinItem.model_fields)
# The wire fields a log row carries under the same name (all but ticket_code).
_CHECKIN_LOG_FIELDS = tuple(name for name in wire.CheckinItem.model_fields if name != "ticket_code")
_WALKIN_ATTENDEE_FIELDS = tuple(name for name in wire.WalkinItem.model_fields if name != "device_id")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _exactly(fields: dict, expected: frozenset, model: type) -> None:
    # model_construct would drop a misspelt field and leave a missing one unset: refuse both.
    if fields.keys() != expected:
        raise TypeError(f"{model.__name__} fields wrong: {sorted(fields.keys() ^ expected)}")


def new_checkin_item(**fields) -> wire.CheckinItem:
    """A check-in item from exactly its fields (``device_time`` a naive UTC datetime), not validated."""
    _exactly(fields, _CHECKIN_FIELDS, wire.CheckinItem)
    return wire.CheckinItem.model_construct(**fields)


def new_walkin_item(**fields) -> wire.WalkinItem:
    """A walk-in item from exactly its fields (``created_at`` a naive UTC datetime), not validated."""
    _exactly(fields, _WALKIN_FIELDS, wire.WalkinItem)
    return wire.WalkinItem.model_construct(**fields)


def checkin_item(checkin, ticket_code: str | None) -> wire.CheckinItem:
    """The item of one log row (any object with the log's attributes): the attendee's code, else the scanned one."""
    fields = {name: getattr(checkin, name) for name in _CHECKIN_LOG_FIELDS}
    return new_checkin_item(ticket_code=ticket_code or checkin.scanned_code, **fields)


def walkin_item(attendee, device_id: str) -> wire.WalkinItem:
    """The item of one walk-in attendee (any object with the attendee's attributes)."""
    fields = {name: getattr(attendee, name) for name in _WALKIN_ATTENDEE_FIELDS}
    return new_walkin_item(device_id=device_id, **fields)


def payload(item: wire.CheckinItem | wire.WalkinItem | dict) -> str:
    """The JSON an item is queued as."""
    if isinstance(item, dict):
        return json.dumps(item)
    return item.model_dump_json()


def enqueue(db: Db, kind: str, ref_id: str, item: wire.CheckinItem | wire.WalkinItem | dict) -> None:
    outbox_table.insert(db, kind, ref_id, payload(item), to_sqlite(utcnow()))


def pending_count(session: Session) -> int:
    return outbox_table.pending_count(session)
