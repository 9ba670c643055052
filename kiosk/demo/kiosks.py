"""The demo's kiosks: this one at the main door, and a simulated one at the side door."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.demo.roster import ARRIVED_EARLIER, DemoAttendee, arrived_earlier
from kiosk.demo.server import DemoError, DemoServer

DOOR = "Main door"
SIDE_DOOR = "Side door"


def _enroll(server: DemoServer, event_id: str, data_dir: Path, door: str, name: str, keyring_backend):
    """Enroll the replica in ``data_dir`` (once); returns the open replica and its credential store."""
    from sync.credentials import CredentialStore
    from sync.enrollment import enroll
    from sync.replica import open_replica
    from sync.server import admin
    from sync.status import K_EVENT, K_SERVER

    replica = open_replica(data_dir)
    store = CredentialStore(data_dir, replica.device_id, keyring_backend)
    if replica.get_state(K_EVENT) == event_id and store.load() is not None:
        # The same server on another port than last time: follow it.
        replica.set_state(K_SERVER, server.url)
    else:
        code = admin.new_enrollment_code(server.db, event_id, door=door, name=name)
        enroll(replica, code.code, server.url, name=name, credentials=store)
    return replica, store


def _sync(replica, store) -> None:
    from sync.engine import SyncEngine

    engine = SyncEngine(replica, credentials=store)
    try:
        report = engine.sync_once()
    finally:
        engine.close()
    if not report.ok:
        raise DemoError(f"the demo kiosk could not sync with its server: {report.error}")


def enroll_demo_kiosk(server: DemoServer, event_id: str, data_dir: Path, keyring_backend) -> None:
    """This kiosk, at the main door: enrolled (once) and synced."""
    replica, store = _enroll(server, event_id, data_dir, DOOR, "Demo kiosk", keyring_backend)
    try:
        _sync(replica, store)
    finally:
        replica.close()


def side_door_arrivals(server: DemoServer, event_id: str, roster: list[DemoAttendee], data_dir: Path,
                       keyring_backend) -> None:
    """A second kiosk let some attendees in over the last hour, and synced: the dashboard is live."""
    from kiosk.core.desk import CheckinDesk
    from sync.clock import utcnow

    replica, store = _enroll(server, event_id, data_dir, SIDE_DOOR, "Side door kiosk", keyring_backend)
    try:
        _sync(replica, store)
        start = utcnow() - timedelta(minutes=75)
        moments = iter(start + timedelta(minutes=70 * i / ARRIVED_EARLIER) for i in range(ARRIVED_EARLIER + 1))
        desk = CheckinDesk(replica, door=SIDE_DOOR, operator="demo", clock=lambda: next(moments))
        for attendee in arrived_earlier(roster):
            desk.scan(attendee.ticket_code)
        _sync(replica, store)
    finally:
        replica.close()
