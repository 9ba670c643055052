"""Search as you type, the attendee detail, manual check-in, check-out and undo."""

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from kiosk.app.staff.staff_desk import StaffDesk
from kiosk.core.results import Result
from sync.replica.models import Checkin, OutboxItem

# Qt warnings fail these tests; the offscreen platform's note about window size hints is not ours.
pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def desk_widget(qtbot, services):
    widget = StaffDesk(services)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    return widget


def rows(panel):
    model = panel.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def scan_count(replica):
    with replica.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Checkin))


def test_results_appear_as_you_type_with_their_status(qtbot, desk_widget):
    panel = desk_widget.search_panel
    qtbot.keyClicks(panel.query_edit, "ad")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    names = sorted(row[0] for row in rows(panel))
    assert names == ["Ada Lovelace", "Adele Goldberg"]
    assert {row[3] for row in rows(panel)} == {"Not arrived"}

    qtbot.keyClicks(panel.query_edit, "el")  # "adel"
    qtbot.waitUntil(lambda: [r[0] for r in rows(panel)] == ["Adele Goldberg"])

    panel.query_edit.clear()
    qtbot.keyClicks(panel.query_edit, "zzz")
    qtbot.waitUntil(lambda: "No one matches" in panel.message_label.text())
    assert panel.model.rowCount() == 0


def test_statuses_say_cancelled_and_waiting_list(qtbot, desk_widget):
    panel = desk_widget.search_panel
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("alan@example.org")
    assert rows(panel) == [["Alan Turing", "alan@example.org", "ALAN-0003", "Cancelled"]]
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("EDSGER-0004")
    assert rows(panel)[0][3] == "Waiting list"


def test_escape_clears_the_search(qtbot, desk_widget):
    panel = desk_widget.search_panel
    qtbot.keyClicks(panel.query_edit, "grace")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    qtbot.keyClick(panel.query_edit, Qt.Key_Escape)
    assert panel.query_edit.text() == ""
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)


def test_an_answer_overtaken_by_typing_is_not_shown(qtbot, desk_widget):
    panel = desk_widget.search_panel
    # Two queries sent back to back: only the newer one's answer may reach the list.
    panel.set_query("ada")
    panel.set_query("grace")
    qtbot.waitUntil(lambda: [r[0] for r in rows(panel)] == ["Grace Hopper"])
    qtbot.wait(150)  # the older answer has arrived by now, and must have been dropped
    assert [r[0] for r in rows(panel)] == ["Grace Hopper"]


def test_looking_someone_up_logs_nothing(qtbot, desk_widget, services):
    panel, detail = desk_widget.search_panel, desk_widget.detail
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("ada")
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.facts["state"].text() == "Not checked in yet.")
    assert detail.name_label.text() == "Ada Lovelace"
    assert detail.facts["ticket"].text() == "ADA-0001"
    assert detail.history_table.rowCount() == 0
    assert scan_count(services.replica) == 0


def test_manual_checkin_then_undo_update_the_status(qtbot, desk_widget, services):
    panel, detail = desk_widget.search_panel, desk_widget.detail
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("grace")
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.checkin_button.isEnabled())

    with qtbot.waitSignal(desk_widget.checkin_recorded) as recorded:
        qtbot.mouseClick(detail.checkin_button, Qt.LeftButton)
    decision = recorded.args[0]
    assert decision.result == Result.ADMITTED
    assert rows(panel)[0][3] == "Inside"
    assert detail.status_label.text() == "Inside"
    assert "Welcome, Grace" in detail.result_banner.text()
    qtbot.waitUntil(lambda: detail.history_table.rowCount() == 1)
    assert "Entry" in detail.history_table.item(0, 1).text()
    assert detail.history_table.item(0, 2).text() == "Door 1"
    assert not detail.checkin_button.isEnabled() and detail.checkout_button.isEnabled()
    qtbot.waitUntil(lambda: detail.undo_button.isEnabled())

    with qtbot.waitSignal(desk_widget.undo_recorded) as undone:
        qtbot.mouseClick(detail.undo_button, Qt.LeftButton)
    assert undone.args[0].undone
    assert rows(panel)[0][3] == "Not arrived"
    qtbot.waitUntil(lambda: detail.history_table.rowCount() == 2)
    assert detail.history_table.item(0, 1).text().startswith("Undo")
    assert detail.history_table.item(1, 3).text() == "undone"
    # The undo is recorded and queued for sync, never a deletion.
    assert scan_count(services.replica) == 2
    with services.replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(OutboxItem)) == 2


def test_check_out_and_a_refused_checkin(qtbot, desk_widget):
    panel, detail = desk_widget.search_panel, desk_widget.detail
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("ada")
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.checkin_button.isEnabled())
    with qtbot.waitSignal(desk_widget.checkin_recorded):
        detail.check_in()
    qtbot.waitUntil(lambda: detail.checkout_button.isEnabled())
    with qtbot.waitSignal(desk_widget.checkin_recorded) as recorded:
        qtbot.mouseClick(detail.checkout_button, Qt.LeftButton)
    assert recorded.args[0].result == Result.EXITED
    assert rows(panel)[0][3] == "Left"

    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("alan")
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.attendee() is not None and detail.attendee().first_name == "Alan"
                    and detail.checkin_button.isEnabled())
    with qtbot.waitSignal(desk_widget.checkin_recorded) as recorded:
        detail.check_in()
    assert recorded.args[0].result == Result.CANCELLED
    assert detail.result_banner.text() == "This ticket was cancelled."
    assert rows(panel)[0][3] == "Cancelled"


def test_keyboard_only_checkin_from_a_hand_scanner(qtbot, desk_widget):
    """A scanner types the code and Enter: the attendee opens; Enter again checks them in."""
    panel, detail = desk_widget.search_panel, desk_widget.detail
    panel.query_edit.setFocus()
    with qtbot.waitSignal(panel.attendee_chosen, timeout=15_000) as chosen:
        qtbot.keyClicks(panel.query_edit, "BARBARA-0006")
        qtbot.keyClick(panel.query_edit, Qt.Key_Return)
    assert chosen.args[0].ticket_code == "BARBARA-0006"
    qtbot.waitUntil(lambda: detail.checkin_button.hasFocus())
    with qtbot.waitSignal(desk_widget.checkin_recorded) as recorded:
        qtbot.keyClick(detail.checkin_button, Qt.Key_Space)
    assert recorded.args[0].result == Result.ADMITTED
    assert recorded.args[0].attendee.full_name == "Barbara Liskov"


def test_anyones_badge_can_be_shown_again(qtbot, desk_widget):
    from kiosk.app.staff.staff_desk import BadgeDialog
    from tests.app.staff.support import decode_qr_image

    panel, detail = desk_widget.search_panel, desk_widget.detail
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("grace")
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.badge_button.isEnabled())
    qtbot.mouseClick(detail.badge_button, Qt.LeftButton)
    dialog = desk_widget.findChild(BadgeDialog)
    assert dialog is not None and dialog.isVisible()
    assert decode_qr_image(dialog.badge_panel.badge_view.grab().toImage()) == ["GRACE-0002"]
    dialog.close()


def test_keyboard_shortcuts_reach_every_page(qtbot, desk_widget):
    desk_widget.activateWindow()
    qtbot.keyClick(desk_widget, Qt.Key_N, Qt.ControlModifier)
    assert desk_widget.tabs.currentWidget() is desk_widget.walkin_form
    assert desk_widget.walkin_form.edits["first_name"].hasFocus()
    qtbot.keyClick(desk_widget, Qt.Key_3, Qt.ControlModifier)
    assert desk_widget.tabs.currentWidget() is desk_widget.roster_page
    qtbot.keyClick(desk_widget, Qt.Key_F, Qt.ControlModifier)
    assert desk_widget.tabs.currentWidget() is desk_widget.attendees_page
    assert desk_widget.search_panel.query_edit.hasFocus()


def test_a_walkin_shows_up_in_the_search_at_once(qtbot, desk_widget):
    panel = desk_widget.search_panel
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query("katherine")
    assert panel.model.rowCount() == 0
    form = desk_widget.walkin_form
    form.edits["first_name"].setText("Katherine")
    form.edits["last_name"].setText("Johnson")
    with qtbot.waitSignal(panel.results_shown, timeout=15_000):
        with qtbot.waitSignal(desk_widget.walkin_registered, timeout=15_000):
            form.submit()
    assert rows(panel)[0][0] == "Katherine Johnson  (walk-in)"
    assert rows(panel)[0][3] == "Inside"
