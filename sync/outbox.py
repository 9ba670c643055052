"""Queueing local changes for the central API.

Every row of the check-in log and every walk-in is queued in the same
transaction that records it, as the JSON item the API's batch endpoints take
(see ``sync.wire``). Walk-ins are queued before the check-ins that refer to them.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.clock import to_sqlite, utcnow
from sync.replica.models import Attendee, Checkin, OutboxItem


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def checkin_item(checkin: Checkin, ticket_code: str | None) -> dict:
    return {
        "id": checkin.id,
        "event_id": checkin.event_id,
        "attendee_id": checkin.attendee_id,
        "ticket_code": ticket_code or checkin.scanned_code,
        "kind": checkin.kind,
        "result": checkin.result,
        "undoes_id": checkin.undoes_id,
        "device_id": checkin.device_id,
        "door": checkin.door,
        "operator": checkin.operator,
        "device_time": iso(checkin.device_time),
    }


def walkin_item(attendee: Attendee, device_id: str) -> dict:
    return {
        "id": attendee.id,
        "event_id": attendee.event_id,
        "first_name": attendee.first_name,
        "last_name": attendee.last_name,
        "email": attendee.email,
        "ticket_code": attendee.ticket_code,
        "ticket_type": attendee.ticket_type,
        "plus_ones": attendee.plus_ones,
        "device_id": device_id,
        "created_at": iso(attendee.created_at),
    }


def enqueue(session: Session, kind: str, ref_id: str, item: dict) -> None:
    # Plain SQL on the session's connection: this is on the path of every scan.
    session.connection().connection.dbapi_connection.execute(
        "INSERT INTO outbox (kind, ref_id, payload_json, created_at, attempts, last_error) VALUES (?, ?, ?, ?, 0, '')",
        (kind, ref_id, json.dumps(item), to_sqlite(utcnow())),
    )


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.sent_at.is_(None)))
