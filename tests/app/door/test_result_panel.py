"""The result panel: two tickets in view at once, plus-ones as large as the name, the Exit door's words."""

from __future__ import annotations

from PIL import Image
from PySide6.QtGui import QFontMetrics

from kiosk.core.results import Result
from tests.app.conftest import qr_png
from tests.app.door.conftest import WAIT_MS, camera_of, checkins_in


def two_tickets_in_one_frame(folder, left: str, right: str):
    """One camera frame with two tickets side by side (two phones held up together)."""
    first, second = qr_png(folder / "left.png", left), qr_png(folder / "right.png", right)
    with Image.open(first) as a, Image.open(second) as b:
        frame = Image.new("RGB", (a.width + b.width + 80, max(a.height, b.height) + 40), "white")
        frame.paste(a, (20, 20))
        frame.paste(b, (a.width + 60, 20))
    path = folder / "both.png"
    frame.save(path)
    return path


def test_two_tickets_in_view_at_once_are_both_shown_one_after_the_other(qtbot, make_door, door_services, tmp_path):
    # Issue 15, item 7: both are admitted, so both names must be seen; never one silently.
    camera = camera_of([two_tickets_in_one_frame(tmp_path, "GRACE-0002", "CHIMA-0005")], repeat=5)
    door = make_door(camera)
    door.result_panel.hold_seconds.update(green=0.6)  # the last one's hold; the first stays TOGETHER_SECONDS
    shown = []
    door.decision_shown.connect(shown.append)
    door.start_camera()
    qtbot.waitUntil(lambda: len(shown) == 1 and door.result_panel.queued() == 1, timeout=WAIT_MS)
    panel = door.result_panel
    first_name = panel.name.text()
    assert panel.queue_note.isVisible() and panel.queue_note.text() == "1 more ticket ▸"
    door.grab().save(str(tmp_path / "two-tickets-first.png"))
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=WAIT_MS)
    assert not panel.queue_note.isVisible()
    names = {d.attendee.full_name for d in shown}
    assert names == {"Grace Hopper", "Chimamanda Ngozi Adichie"}
    assert panel.name.text() != first_name and panel.name.text() in names
    assert [d.result for d in shown] == [Result.ADMITTED, Result.ADMITTED]
    assert sorted(r.scanned_code for r in checkins_in(door_services.replica)) == ["CHIMA-0005", "GRACE-0002"]
    qtbot.waitUntil(lambda: panel.state == "ready", timeout=WAIT_MS)


def test_tickets_scanned_one_by_one_replace_each_other_at_once(qtbot, make_door):
    # A hand scanner's next attendee is never held back behind the previous one.
    door = make_door()
    for code, name in (("ADA-0001", "Ada Lovelace"), ("GRACE-0002", "Grace Hopper")):
        with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
            door.scan_code(code)
        assert door.result_panel.name.text() == name
        assert door.result_panel.queued() == 0


def test_plus_ones_are_as_visible_as_the_name(qtbot, make_door, tmp_path):
    # Issue 15, item 9: "+1 guest" was the smallest line on the panel.
    door = make_door(size=(1024, 600))
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.scan_code("ADA-0001")
    panel = door.result_panel
    qtbot.wait(50)  # the fitted labels settle on their size
    assert panel.guests.isVisible() and panel.guests.text().strip() == "+1 guest"
    assert panel.guests.font().pointSize() >= panel.name.font().pointSize()
    assert panel.guests.font().bold()
    assert "guest" not in panel.detail.text()
    door.grab().save(str(tmp_path / "plus-one-1024.png"))

    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS):
        door.scan_code("GRACE-0002")  # no plus-ones: nothing to show
    assert not panel.guests.isVisible()


def test_an_arrival_at_a_door_set_to_exit_is_told_so(qtbot, make_door):
    # Issue 15, item 8: not only amber "Not checked in".
    door = make_door(size=(1024, 600))
    door.set_direction("exit")
    with qtbot.waitSignal(door.decision_shown, timeout=WAIT_MS) as shown:
        door.scan_code("GRACE-0002")
    assert shown.args[0].result == Result.NOT_INSIDE
    panel = door.result_panel
    assert panel.state == "amber"
    assert panel.headline.text() == "This door is set to Exit"
    assert "Switch the door to Entry" in panel.reason.text()
    qtbot.wait(50)  # the headline shrinks to fit a kiosk tablet's 1024 pixels, and never widens the window
    assert door.width() == 1024 and door.minimumSizeHint().width() <= 1024
    assert QFontMetrics(panel.headline.font()).horizontalAdvance(panel.headline.text()) <= panel.headline.width()
