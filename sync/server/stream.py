"""The live dashboard feed: server-sent events of the event's stats.

The stream polls the database for a change marker (the event's sequence and its
devices' status) rather than waiting for an in-process signal, so a change
made through another server process behind the same load balancer is seen too.
Each poll also checks that the token which opened the stream still holds: a
revoked device or organizer token gets a last ``revoked`` event and the stream ends.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import AsyncIterator

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from sync import wire
from sync.clock import utcnow
from sync.server.auth import Principal, still_valid
from sync.server.database import Database
from sync.server.stats import change_marker, compute_stats

REVOKED = object()  # the token that opened the stream no longer holds
REVOKED_EVENT = "event: revoked\ndata: " + json.dumps({
    "code": wire.E_UNAUTHORIZED, "message": "This token has been revoked: the stream ends.",
}) + "\n\n"


def _marker_and_stats(db: Database, principal: Principal, event_id: str, last_marker):
    now = utcnow()
    with db.read() as session:
        if not still_valid(session, principal):
            return REVOKED, None
        marker = change_marker(session, event_id, now)
        if marker == last_marker:
            return marker, None
        return marker, compute_stats(session, event_id, now)


async def stats_stream(
    request: Request, db: Database, principal: Principal, event_id: str, poll_seconds: float,
    heartbeat_seconds: float,
) -> AsyncIterator[str]:
    marker = None
    last_sent = time.monotonic()
    yield "retry: 3000\n\n"  # how soon a browser's EventSource reconnects
    while True:
        if await request.is_disconnected():
            return
        marker, stats = await run_in_threadpool(_marker_and_stats, db, principal, event_id, marker)
        if marker is REVOKED:
            yield REVOKED_EVENT
            return
        if stats is not None:
            yield f"event: stats\ndata: {stats.model_dump_json()}\n\n"
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent >= heartbeat_seconds:
            beat = json.dumps({"server_time": wire.format_utc(utcnow())})
            yield f"event: heartbeat\ndata: {beat}\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(poll_seconds)
