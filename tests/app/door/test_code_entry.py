"""Names typed in the door's code box search and offer the matches; codes still check in at once
(issue 15, item 4). Real door screen, real replica, the staff desk's search."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.core.results import Result
from tests.app.door.conftest import WAIT_MS, checkins_in


def type_and_enter(qtbot, door, text: str) -> None:
    door.code_field.setFocus()
    qtbot.keyClicks(door.code_field, text)
    qtbot.keyClick(door.code_field, Qt.Key.Key_Return)


def test_a_typed_name_with_one_match_is_offered_and_enter_checks_them_in(qtbot, make_door, door_services, tmp_path):
    door = make_door(size=(1024, 600))
    entry = door.code_entry
    with qtbot.waitSignal(entry.matches_toggled, timeout=WAIT_MS) as toggled:
        type_and_enter(qtbot, door, "lovelace")
    assert toggled.args == [True]
    assert entry.matches_box.isVisible() and not door.camera_view.isVisible()
    assert entry.matches.count() == 1 and "Ada Lovelace" in entry.matches.item(0).text()
    assert entry.chosen().full_name == "Ada Lovelace"
    assert "Enter checks in Ada Lovelace" in entry.matches_hint.text()
    assert door.result_panel.state == "ready"  # not a red "Not on the guest list"
    assert checkins_in(door_services.replica) == []
    door.grab().save(str(tmp_path / "name-one-match.png"))

    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(door.code_field, Qt.Key.Key_Return)
    assert shown.args[0].result == Result.ADMITTED
    assert door.result_panel.name.text() == "Ada Lovelace"
    assert door.code_field.text() == "" and not entry.matches_box.isVisible() and door.camera_view.isVisible()
    assert [(r.kind, r.result) for r in checkins_in(door_services.replica)] == [("entry", "admitted")]


def test_several_matches_are_picked_with_the_keyboard(qtbot, make_door, door_services):
    door = make_door()
    entry = door.code_entry
    with qtbot.waitSignal(entry.matches_toggled, timeout=WAIT_MS):
        type_and_enter(qtbot, door, "a")  # Ada, Alan, Adichie...
    assert entry.matches.count() >= 3
    assert entry.chosen() is None  # several: nobody is checked in by a stray Enter
    qtbot.keyClick(door.code_field, Qt.Key.Key_Return)
    assert "Choose someone" in entry.matches_hint.text()
    for _ in range(3):
        qtbot.keyClick(door.code_field, Qt.Key.Key_Down)
    qtbot.keyClick(door.code_field, Qt.Key.Key_Up)
    chosen = entry.chosen()
    assert entry.matches.currentRow() == 1
    assert entry.matches.item(1).text().startswith(chosen.full_name)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(door.code_field, Qt.Key.Key_Return)
    assert shown.args[0].attendee.id == chosen.id
    assert len(checkins_in(door_services.replica)) == 1


def test_a_name_that_matches_nobody_says_so_and_logs_nothing(qtbot, make_door, door_services):
    door = make_door()
    entry = door.code_entry
    with qtbot.waitSignal(entry.matches_toggled, timeout=WAIT_MS):
        type_and_enter(qtbot, door, "Zebedee Nobody")
    assert entry.matches_title.text() == "No one on the guest list matches “Zebedee Nobody”."
    assert door.result_panel.state == "ready"
    assert checkins_in(door_services.replica) == []
    qtbot.keyClick(door.code_field, Qt.Key.Key_Escape)
    assert not entry.matches_box.isVisible() and door.camera_view.isVisible()


def test_a_typed_ticket_code_still_checks_in_at_once(qtbot, make_door, door_services):
    door = make_door()
    toggled = []
    door.code_entry.matches_toggled.connect(toggled.append)
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        type_and_enter(qtbot, door, "grace-0002")  # as typed, in lower case
    assert shown.args[0].result == Result.ADMITTED and shown.args[0].attendee.full_name == "Grace Hopper"
    assert toggled == [] and door.code_field.text() == ""
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        type_and_enter(qtbot, door, "NOBODY-9999")  # a code nobody has: the door's red answer, logged
    assert shown.args[0].result == Result.UNKNOWN_CODE
    assert [r.result for r in checkins_in(door_services.replica)] == ["admitted", "unknown_code"]
