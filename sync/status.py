"""The sync state a replica remembers, and how it reads to a person or a script.

The engine writes these keys of the replica's ``sync_state`` table as it goes,
so any process (``kiosk status --json`` while the app runs) can read them.
Cursors are server sequence numbers, never device clocks.
"""

from __future__ import annotations

from sync.replica import Replica
from sync.replica.queries import outbox, sync_state

# Connectivity as the engine last found it.
ONLINE = "online"  # the last round went through
OFFLINE = "offline"  # the server cannot be reached at all
DEGRADED = "degraded"  # the server is reached but failing: 5xx, cut or garbage replies, refused token
NOT_ENROLLED = "not_enrolled"  # no server or no token: nothing to sync with

K_SERVER = "server_url"
K_EVENT = "event_id"  # also the desk's current event
K_DOOR = "door"
K_DEVICE = "device_id"
K_CONNECTIVITY = "sync.connectivity"
K_LAST_SYNC = "sync.last_sync_at"  # last round that went through (UTC ISO)
K_LAST_ATTEMPT = "sync.last_attempt_at"
K_LAST_ERROR = "sync.last_error"  # empty after a round that went through
K_CLOCK_OFFSET = "sync.clock_offset_seconds"  # server clock minus ours
K_ROSTER_CURSOR = "sync.roster_cursor"
K_CHECKIN_CURSOR = "sync.checkin_cursor"
K_HIGH_WATER = "sync.high_water_seq"  # the server's newest sequence at the last pull
K_FAILURES = "sync.failures"  # rounds failed in a row

CURSOR_KEYS = (K_ROSTER_CURSOR, K_CHECKIN_CURSOR, K_HIGH_WATER)


STATUS_KEYS = (K_SERVER, K_EVENT, K_DOOR, K_DEVICE, K_CONNECTIVITY, K_LAST_SYNC, K_LAST_ATTEMPT,
               K_LAST_ERROR, K_CLOCK_OFFSET, K_FAILURES) + CURSOR_KEYS


def read_state(replica: Replica) -> dict[str, str]:
    with replica.session(write=False) as s:
        return sync_state.values(s, STATUS_KEYS)


def sync_status(replica: Replica) -> dict:
    """Everything about sync that ``kiosk status --json`` and the GUI show."""
    with replica.session(write=False) as s:  # one read transaction: the count matches the state
        state = sync_state.values(s, STATUS_KEYS)
        waiting = outbox.pending_count(s)
        not_stored = outbox.not_stored_count(s)
    offset = state.get(K_CLOCK_OFFSET)
    server = state.get(K_SERVER) or None
    return {
        "server": server,
        "event_id": state.get(K_EVENT),
        "device_id": state.get(K_DEVICE),
        "door": state.get(K_DOOR, ""),
        "connectivity": state.get(K_CONNECTIVITY) or (NOT_ENROLLED if server is None else OFFLINE),
        "last_sync": state.get(K_LAST_SYNC) or None,
        "last_attempt": state.get(K_LAST_ATTEMPT) or None,
        "last_error": state.get(K_LAST_ERROR) or None,
        "waiting_to_sync": waiting,
        "not_stored": not_stored,  # refused by the server: recorded here only (kiosk sync --resend-refused)
        "clock_offset_seconds": float(offset) if offset else None,
        "cursors": {
            "roster": int(state.get(K_ROSTER_CURSOR, 0)),
            "checkins": int(state.get(K_CHECKIN_CURSOR, 0)),
            "server_high_water": int(state.get(K_HIGH_WATER, 0)),
        },
    }
