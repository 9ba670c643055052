"""Buttons do not move under the mouse when a message or a banner appears (issue 15, item 12):
the room of every message that can appear above a button is kept while it is empty or hidden."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from kiosk.app.staff.staff_desk import StaffDesk

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

WAIT_MS = 15_000


def place(widget, top) -> tuple[int, int, int, int]:
    corner = widget.mapTo(top, QPoint(0, 0))
    return corner.x(), corner.y(), widget.width(), widget.height()


@pytest.fixture(params=[(1024, 600), (1366, 768)], ids=["1024x600", "1366x768"])
def desk(request, qtbot, services):
    widget = StaffDesk(services)
    qtbot.addWidget(widget)
    widget.resize(*request.param)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_checking_in_at_the_desk_does_not_move_the_buttons(qtbot, desk, tmp_path):
    detail = desk.detail
    desk.search_panel.set_query("Grace")
    qtbot.waitUntil(lambda: desk.search_panel.model.rowCount() == 1, timeout=WAIT_MS)
    desk.search_panel.results_view.setCurrentIndex(desk.search_panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.checkin_button.isEnabled(), timeout=WAIT_MS)
    buttons = (detail.checkin_button, detail.checkout_button, detail.undo_button, detail.badge_button)
    before = [place(button, desk) for button in buttons]
    with qtbot.waitSignal(detail.checkin_recorded, timeout=WAIT_MS):
        qtbot.mouseClick(detail.checkin_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: detail.result_banner.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert [place(button, desk) for button in buttons] == before
    desk.grab().save(str(tmp_path / "desk-checked-in.png"))


def test_walkin_problems_do_not_move_the_register_button(qtbot, desk):
    form = desk.walkin_form
    desk.show_walkin()
    qtbot.wait(50)
    before = place(form.submit_button, desk), place(form.edits["email"], desk)
    form.edits["email"].setText("katherine@")
    form._touched.update(("first_name", "last_name", "email"))  # as after Tab through every field
    assert form._show_problems()
    assert form.error_labels["first_name"].text() and form.error_labels["email"].text()
    qtbot.wait(50)
    assert (place(form.submit_button, desk), place(form.edits["email"], desk)) == before


def test_a_scanned_code_nobody_has_does_not_move_the_results(qtbot, desk):
    panel = desk.search_panel
    before = place(panel.results_view, desk)
    desk.look_up_scan("NOBODY-0000-1111-2222")
    qtbot.waitUntil(lambda: "NOBODY" in panel.message_label.text(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert place(panel.results_view, desk) == before


def test_a_long_error_in_the_heading_neither_widens_nor_pushes_the_desk(qtbot, desk):
    width, tabs = desk.width(), place(desk.tabs, desk)
    desk.show_error("the replica could not be read because " + "something went wrong " * 20)
    qtbot.wait(50)
    assert desk.width() == width and place(desk.tabs, desk) == tabs
    assert desk.minimumSizeHint().width() <= width


