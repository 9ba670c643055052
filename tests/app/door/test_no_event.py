"""A door without an event does not say "Ready": it says what staff must do (issue 15, item 16)."""

from __future__ import annotations

import pytest

from kiosk.app import ops
from kiosk.app.door.result_panel import NO_EVENT_HINT
from kiosk.app.door.screen import DoorScreen
from kiosk.app.services import Services
from kiosk.session import KioskSession
from sync.replica import open_replica
from tests.app.conftest import DOOR_ROSTER_CSV, staff_settings
from tests.app.door.conftest import WAIT_MS


@pytest.fixture
def empty_door(qtbot, tmp_path):
    replica = open_replica(tmp_path / "kiosk")
    services = Services(KioskSession(staff_settings(tmp_path / "kiosk"), replica, operator="staff"))
    door = DoorScreen(services)
    qtbot.addWidget(door)
    door.resize(1024, 560)
    door.show()
    yield door
    door.shutdown()
    assert services.stop_workers()
    replica.close()


def test_without_an_event_the_door_says_to_import_or_enroll_and_is_ready_once_there_is_one(qtbot, empty_door,
                                                                                           tmp_path):
    panel = empty_door.result_panel
    assert panel.headline.text() == "No event loaded" and "Ready" not in panel.name.text()
    assert panel.reason.text() == NO_EVENT_HINT
    empty_door.result_panel.set_ready_hint("Scan the ticket with the hand scanner")  # the camera's news
    assert panel.reason.text() == NO_EVENT_HINT
    empty_door.grab().save(str(tmp_path / "door-no-event.png"))

    roster = tmp_path / "roster.csv"
    roster.write_text(DOOR_ROSTER_CSV, encoding="utf-8")
    ops.import_roster(roster, "Door Test Conference", False).run(empty_door.services.ops)
    qtbot.waitUntil(lambda: panel.headline.text() == "Ready", timeout=WAIT_MS)
    assert panel.name.text() == "Show your ticket"
    assert panel.reason.text() == "Scan the ticket with the hand scanner"
