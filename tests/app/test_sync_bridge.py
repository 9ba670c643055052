"""The sync engine's callbacks reach the door's status line as Qt signals: a real engine and a
real reference server on loopback, which is then stopped to take the kiosk offline."""

from __future__ import annotations

import pytest
from keyring.backends import fail

from kiosk.app.door.screen import DoorScreen
from kiosk.app.services import Services
from kiosk.app.sync_bridge import SyncBridge
from kiosk.core.desk import CheckinDesk
from kiosk.demo import demo_roster, roster_csv
from kiosk.session import KioskSession
from sync import wire
from sync.credentials import CredentialStore
from sync.engine import SyncEngine
from sync.enrollment import enroll
from sync.replica import open_replica
from sync.server import admin
from tests.app.conftest import staff_settings
from tests.sync.server.support import LiveServer

WAIT_MS = 20_000


@pytest.fixture
def server(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'server.db'}").start()
    yield server
    server.stop()


@pytest.fixture
def enrolled(server, tmp_path):
    roster = demo_roster(20)
    event, _ = admin.new_event(server.db, wire.CreateEventRequest(name="Bridge Test Event"), roster_csv(roster))
    code = admin.new_enrollment_code(server.db, event.id, door="Door 1")
    replica = open_replica(tmp_path / "kiosk")
    store = CredentialStore(tmp_path / "kiosk", replica.device_id, fail.Keyring())
    enroll(replica, code.code, server.url, credentials=store)
    yield replica, store, roster
    replica.close()


def test_the_status_line_follows_the_engine_online_then_offline(qtbot, server, enrolled, tmp_path):
    replica, store, roster = enrolled
    engine = SyncEngine(replica, credentials=store, interval=60, max_backoff=1)
    bridge = SyncBridge(engine)
    session = KioskSession(staff_settings(tmp_path / "kiosk"), replica)
    session.engine = engine
    services = Services(session, sync_bridge=bridge)
    door = DoorScreen(services)
    qtbot.addWidget(door)
    try:
        with qtbot.waitSignal(bridge.sync_finished, timeout=WAIT_MS) as finished:
            engine.start()  # rounds on APScheduler's thread; the bridge hops them to this one
        assert finished.args[0].ok
        qtbot.waitUntil(lambda: door.status_line.connectivity == "online", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "everything synced" in door.status_line.text.text(), timeout=WAIT_MS)

        services.desk = CheckinDesk(replica, door="Door 1")  # the event arrived with the first round
        server.stop()  # the Wi-Fi dies
        guest = next(a for a in roster if a.status == "confirmed")
        with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
            door.scan_code(guest.ticket_code)
        assert shown.args[0].colour == "green"  # decided from the replica, with no server
        qtbot.waitUntil(lambda: door.status_line.connectivity == "offline", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: door.status_line.waiting == 1, timeout=WAIT_MS)
        assert door.status_line.text.text().startswith("Offline — 1 check-in waiting to sync · last sync ")
    finally:
        door.shutdown()
        bridge.detach()
        engine.stop()
        engine.close()
        services.stop_workers()
