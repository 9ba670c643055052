"""The door screen with real widgets, a real replica, real QR images and the real decoder.

Frames reach the decoder through the same frame-source code path as a webcam's
(``ImageFolderSource``); only the webcam itself is replaced.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from kiosk.app.camera import CameraPipeline
from kiosk.app.door.hand_scanner import HandScannerFilter
from kiosk.core.results import Result
from kiosk.scanner.decoders import make_decoder
from kiosk.scanner.repeats import RepeatFilter
from kiosk.scanner.sources import open_source
from tests.app.door.conftest import WAIT_MS, camera_of, checkins_in


class SteppedClock:
    """A monotonic clock the test moves forward (for the repeat filter)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_ticket_held_to_the_camera_turns_the_panel_green_with_the_name(qtbot, make_door, door_services,
                                                                          ticket_images):
    # The ticket stays in view for 10 frames: one scan, not ten.
    camera = camera_of([ticket_images["ada"]], repeat=10)
    door = make_door(camera)
    with qtbot.waitSignal(camera.source_ended, timeout=WAIT_MS):
        with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
            door.start_camera()
    qtbot.waitUntil(lambda: door.scans_in_flight == 0, timeout=WAIT_MS)

    decision = shown.args[0]
    assert decision.result == Result.ADMITTED
    panel = door.result_panel
    assert panel.state == "green"
    assert panel.name.text() == "Ada Lovelace"
    assert panel.headline.text() == "Welcome"
    assert panel.guests.text().strip() == "+1 guest" and panel.guests.isVisible()
    assert camera.stats.frames_decoded >= 1
    # Committed before it was shown, and only once for the ten frames.
    rows = checkins_in(door_services.replica)
    assert [(r.kind, r.result, r.door) for r in rows] == [("entry", "admitted", "Door 1")]


def test_the_same_ticket_scanned_again_later_turns_the_panel_amber(qtbot, make_door, door_services, ticket_images):
    clock = SteppedClock()
    camera = camera_of([ticket_images["grace"]], repeat=3, repeat_filter=RepeatFilter(3.0, clock=clock))
    door = make_door(camera)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as first:
        door.start_camera()
    qtbot.waitUntil(lambda: not camera.running, timeout=WAIT_MS)
    assert first.args[0].result == Result.ADMITTED

    # Within the hold time the same code is ignored...
    camera.stop()
    clock.now += 1.0
    door.start_camera()
    qtbot.waitUntil(lambda: not camera.running, timeout=WAIT_MS)
    assert len(checkins_in(door_services.replica)) == 1

    # ...after it, the ticket is scanned again, and it is already in.
    clock.now += 10.0
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as second:
        door.start_camera()
    decision = second.args[0]
    assert decision.result == Result.ALREADY_CHECKED_IN
    assert door.result_panel.state == "amber"
    assert door.result_panel.headline.text() == "Already checked in"
    assert door.result_panel.name.text() == "Grace Hopper"
    assert "Door 1" in door.result_panel.reason.text()


@pytest.mark.parametrize(
    "ticket, result, headline",
    [
        ("alan", Result.CANCELLED, "Ticket cancelled"),
        ("stranger", Result.UNKNOWN_CODE, "Unknown code"),
    ],
)
def test_a_refused_ticket_turns_the_panel_red(qtbot, make_door, door_services, ticket_images, ticket, result,
                                              headline):
    camera = camera_of([ticket_images[ticket]])
    door = make_door(camera)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        door.start_camera()
    assert shown.args[0].result == result
    assert door.result_panel.state == "red"
    assert door.result_panel.headline.text() == headline
    assert door.result_panel.reason.text()  # the reason, in words
    rows = checkins_in(door_services.replica)
    assert [r.result for r in rows] == [result.value]  # refusals are logged too


def test_pyzbar_reads_the_camera_frames_too(qtbot, make_door, ticket_images):
    camera = camera_of([ticket_images["chima"]], decoder="pyzbar")
    door = make_door(camera)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.start_camera()
    assert door.result_panel.name.text() == "Chimamanda Ngozi Adichie"


def test_exit_mode_checks_people_out(qtbot, make_door, door_services):
    door = make_door()
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.scan_code("ADA-0001")
    qtbot.mouseClick(door.exit_button, Qt.MouseButton.LeftButton)
    assert door.direction == "exit"
    assert "Exit" in door.result_panel.headline.text() or door.result_panel.state != "ready"
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        door.scan_code("ADA-0001")
    assert shown.args[0].result == Result.EXITED
    assert door.result_panel.headline.text() == "Goodbye"
    assert [r.kind for r in checkins_in(door_services.replica)] == ["entry", "exit"]


def test_the_panel_goes_back_to_ready_by_itself(qtbot, make_door):
    door = make_door()
    door.result_panel.hold_seconds.update(green=0.2)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.scan_code("GRACE-0002")
    assert door.result_panel.state == "green"
    with qtbot.waitSignal(door.result_panel.returned_to_ready, timeout=WAIT_MS):
        pass
    assert door.result_panel.state == "ready"
    assert door.result_panel.name.text() == "Show your ticket"


def test_without_a_camera_the_panel_says_so_and_the_hand_scanner_still_works(qtbot, make_door, door_services,
                                                                               qapp):
    # Camera 57: the real webcam code path, on a machine without that camera.
    camera = CameraPipeline(lambda: open_source(57), make_decoder())
    door = make_door(camera)
    with qtbot.waitSignal(camera.camera_failed, timeout=WAIT_MS):
        door.start_camera()
    assert "No camera found (camera 57)" in door.camera_view.message
    assert "hand scanner" in door.camera_view.message
    assert not door.camera_view.has_picture
    assert "hand scanner" in door.result_panel.reason.text()

    scanner = HandScannerFilter()
    scanner.code_scanned.connect(door.scan_code)
    qapp.installEventFilter(scanner)
    try:
        door.code_field.setFocus()
        with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
            qtbot.keyClicks(door.code_field, "GRACE-0002")
            qtbot.keyClick(door.code_field, Qt.Key.Key_Return)
    finally:
        qapp.removeEventFilter(scanner)
    assert shown.args[0].result == Result.ADMITTED
    assert door.result_panel.name.text() == "Grace Hopper"


def test_the_code_field_checks_in_a_code_typed_by_hand(qtbot, make_door):
    door = make_door()
    door.code_field.setText("  CHIMA-0005 ")
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(door.code_field, Qt.Key.Key_Return)
    assert shown.args[0].result == Result.ADMITTED
    assert door.code_field.text() == ""


# ---- the hand scanner, whatever has the focus ---------------------------------------------


@pytest.fixture
def search_box(qtbot):
    """A search box elsewhere in the app with the keyboard focus (the staff desk has one)."""
    host = QWidget()
    box = QLineEdit()
    box.setObjectName("search")
    QVBoxLayout(host).addWidget(box)
    qtbot.addWidget(host)
    host.show()
    box.setFocus()
    yield box  # the fixture's frame keeps ``host`` (and so the box) alive


@pytest.fixture
def scanner(qapp):
    scanner = HandScannerFilter(max_gap_ms=50)
    qapp.installEventFilter(scanner)
    yield scanner
    qapp.removeEventFilter(scanner)


def test_hand_scanner_keystrokes_check_in_while_a_search_box_has_focus(qtbot, make_door, door_services, scanner,
                                                                       search_box):
    door = make_door()
    scanner.code_scanned.connect(door.scan_code)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClicks(search_box, "EDSGER-0004")
        qtbot.keyClick(search_box, Qt.Key.Key_Return)
    assert shown.args[0].result == Result.WAITLISTED
    assert door.result_panel.state == "amber"
    assert search_box.text() == ""  # the scan did not end up in the search box
    assert [r.scanned_code for r in checkins_in(door_services.replica)] == ["EDSGER-0004"]


def test_typing_by_hand_in_a_search_box_still_works(qtbot, make_door, door_services, scanner, search_box):
    make_door()  # the door screen, with its scanner filter installed
    returned = []
    search_box.returnPressed.connect(lambda: returned.append(search_box.text()))
    scanned = []
    scanner.code_scanned.connect(scanned.append)
    for letter in "Ada L":
        qtbot.keyClick(search_box, letter)
        qtbot.wait(120)  # a person types a few keys a second
    qtbot.waitUntil(lambda: search_box.text() == "Ada L", timeout=WAIT_MS)
    qtbot.keyClick(search_box, Qt.Key.Key_Return)
    assert returned == ["Ada L"]
    assert scanned == []
    assert checkins_in(door_services.replica) == []


def test_a_scan_the_replica_cannot_record_is_shown_red_and_not_as_a_check_in(qtbot, make_door, door_services):
    door = make_door()
    # The replica file is taken away under the app: the environment's fault, shown as a message.
    door_services.replica.close()
    path = door_services.replica.path
    path.rename(path.with_suffix(".moved"))
    with qtbot.waitSignal(door.scan_failed, timeout=WAIT_MS) as failed:
        door.scan_code("ADA-0001")
    assert "not recorded" in failed.args[0]
    assert door.result_panel.state == "message"
    assert door.result_panel.headline.text() == "Not recorded"
    assert door.result_panel.decision is None


# ---- the status line ------------------------------------------------------------------------


def test_the_status_line_says_offline_and_how_many_check_ins_wait(qtbot, make_door, door_services):
    from datetime import datetime, timezone

    from kiosk.core.status_words import SyncStatus, describe_status

    def describe(connectivity, waiting, last_sync):
        return describe_status(SyncStatus(connectivity=connectivity, waiting_to_sync=waiting, last_sync=last_sync))

    last = datetime(2026, 11, 23, 8, 50, tzinfo=timezone.utc)
    words = describe("offline", 212, last)
    assert words.startswith("Offline — 212 check-ins waiting to sync · last sync ")
    assert last.astimezone().strftime("%H:%M") in words
    assert describe("online", 0, last).startswith("Online — everything synced")
    assert describe("offline", 1, None) == "Offline — 1 check-in waiting to sync · never synced"

    door = make_door()
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.scan_code("ADA-0001")
    # The count comes from the replica's outbox, read on the DbWorker after the scan.
    qtbot.waitUntil(lambda: door.status_line.waiting == 1, timeout=WAIT_MS)
    assert "1 check-in recorded here" in door.status_line.text.text()


def test_a_camera_that_appears_later_is_picked_up_by_itself(qtbot, make_door, door_services, ticket_images, tmp_path):
    folder = tmp_path / "camera-not-yet-plugged-in"
    camera = CameraPipeline(lambda: open_source(folder), make_decoder())
    door = make_door(camera)
    door._camera_retry.setInterval(100)
    with qtbot.waitSignal(camera.camera_failed, timeout=WAIT_MS):
        door.start_camera()
    folder.mkdir()
    (folder / "frame.png").write_bytes(ticket_images["grace"].read_bytes())
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        pass  # the retry opens the source that now exists
    assert shown.args[0].attendee.full_name == "Grace Hopper"


def test_an_enrollment_qr_scanned_with_the_hand_scanner_is_typed_where_the_focus_is(qtbot, scanner, search_box):
    # The staff desk's enrollment box has the focus; the organizer's QR code is scanned into it.
    scanned, returned = [], []
    scanner.code_scanned.connect(scanned.append)
    search_box.returnPressed.connect(lambda: returned.append(search_box.text()))
    payload = "checkin-kiosk://enroll?server=http://10.0.0.5:8080&code=ABCD-EFGH"
    qtbot.keyClicks(search_box, payload)
    qtbot.keyClick(search_box, Qt.Key.Key_Return)
    assert scanned == []
    assert returned == [payload]


def test_a_scanner_that_presses_shift_for_capitals_is_still_a_scan(qtbot, make_door, scanner, search_box):
    door = make_door()
    scanner.code_scanned.connect(door.scan_code)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        for char in "CHIMA-0005":
            if char.isupper():
                qtbot.keyPress(search_box, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
                qtbot.keyClick(search_box, char, Qt.KeyboardModifier.ShiftModifier)
                qtbot.keyRelease(search_box, Qt.Key.Key_Shift)
            else:
                qtbot.keyClick(search_box, char)
        qtbot.keyClick(search_box, Qt.Key.Key_Return)
    assert shown.args[0].attendee.full_name == "Chimamanda Ngozi Adichie"
    assert search_box.text() == ""
