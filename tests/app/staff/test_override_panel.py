"""The staff desk's "Let in anyway…": a refused guest let in with a reason, inline, logged and shown."""

import os

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from kiosk.app.staff.staff_desk import StaffDesk
from kiosk.core.results import Result
from sync.replica.models import Checkin

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def desk_widget(qtbot, services):
    widget = StaffDesk(services)
    qtbot.addWidget(widget)
    widget.resize(1024, 600)
    widget.show()
    return widget


def select_person(qtbot, desk_widget, query):
    panel, detail = desk_widget.search_panel, desk_widget.detail
    with qtbot.waitSignal(panel.results_shown):
        panel.set_query(query)
    panel.results_view.setCurrentIndex(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: detail.attendee() is not None and detail._lookup is not None)
    return detail


def test_a_waitlisted_guest_is_let_in_anyway_with_a_reason(qtbot, desk_widget, services):
    detail = select_person(qtbot, desk_widget, "EDSGER-0004")
    overrides = detail.override_panel
    qtbot.waitUntil(lambda: overrides.open_button.isVisible())
    assert not overrides.form.isVisible()

    # Check in still applies the door rules.
    with qtbot.waitSignal(desk_widget.checkin_recorded) as refused:
        qtbot.mouseClick(detail.checkin_button, Qt.LeftButton)
    assert refused.args[0].result == Result.WAITLISTED and overrides.open_button.isVisible()
    if os.environ.get("KIOSK_SCREENSHOTS"):
        desk_widget.grab().save(os.path.join(os.environ["KIOSK_SCREENSHOTS"], "override_button.png"))

    qtbot.mouseClick(overrides.open_button, Qt.LeftButton)
    assert overrides.form.isVisible() and not overrides.open_button.isVisible()
    assert not overrides.confirm_button.isEnabled()  # no reason, no override
    qtbot.keyClicks(overrides.reason_edit, "Speaker, approved by Jo")
    assert overrides.confirm_button.isEnabled()
    if os.environ.get("KIOSK_SCREENSHOTS"):
        desk_widget.grab().save(os.path.join(os.environ["KIOSK_SCREENSHOTS"], "override_detail.png"))

    with qtbot.waitSignal(desk_widget.checkin_recorded) as recorded:
        qtbot.mouseClick(overrides.confirm_button, Qt.LeftButton)
    decision = recorded.args[0]
    assert decision.result == Result.ADMITTED_OVERRIDE and decision.attendee.inside
    assert "Let in anyway: Speaker, approved by Jo" in detail.result_banner.text()
    assert not overrides.isVisible()  # inside now: nothing left to override
    qtbot.waitUntil(lambda: detail.history_table.rowCount() == 2)
    assert "let in anyway" in detail.history_table.item(0, 1).text()
    assert detail.history_table.item(0, 3).text() == "reason: Speaker, approved by Jo"
    qtbot.waitUntil(lambda: detail.undo_button.isEnabled())
    with services.replica.session(write=False) as s:
        stored = s.execute(select(Checkin.result, Checkin.reason).where(Checkin.id == decision.checkin_id)).one()
    assert tuple(stored) == ("admitted_override", "Speaker, approved by Jo")


def test_the_override_is_offered_only_to_a_refused_guest_and_cancel_records_nothing(qtbot, desk_widget, services):
    detail = select_person(qtbot, desk_widget, "grace")
    assert not detail.override_panel.isVisible()
    detail = select_person(qtbot, desk_widget, "alan@example.org")  # cancelled
    overrides = detail.override_panel
    qtbot.waitUntil(lambda: overrides.open_button.isVisible())
    qtbot.mouseClick(overrides.open_button, Qt.LeftButton)
    qtbot.keyClicks(overrides.reason_edit, "changed my mind")
    qtbot.mouseClick(overrides.cancel_button, Qt.LeftButton)
    assert not overrides.form.isVisible() and overrides.reason_edit.text() == ""
    with services.replica.session(write=False) as s:
        assert s.scalars(select(Checkin.result)).all() == []


@pytest.mark.parametrize("size", [(1024, 600), (1024, 520)], ids=["1024x600", "1024x520"])
def test_the_open_reason_field_fits_the_desk_from_a_1024x600_screen(qtbot, make_shell, tmp_path, size):
    from kiosk.app.window import DESK
    from tests.app.test_screen_sizes import problems_of, settle

    shell = make_shell(kiosk_mode=False)
    window, desk = shell.window, shell.desk_face
    window.showNormal()
    window.resize(*size)
    window.show_face(DESK)
    desk.search_panel.set_query("EDSGER-0004")
    qtbot.waitUntil(lambda: desk.search_panel.model.rowCount() == 1, timeout=10_000)
    desk.search_panel.results_view.setCurrentIndex(desk.search_panel.model.index(0, 0))
    overrides = desk.detail.override_panel
    qtbot.waitUntil(lambda: overrides.open_button.isVisible(), timeout=10_000)
    qtbot.mouseClick(overrides.open_button, Qt.LeftButton)
    overrides.reason_edit.setText("Speaker, approved by Jo")
    settle(qtbot)
    folder = os.environ.get("KIOSK_SCREENSHOTS") or str(tmp_path)
    window.grab().save(os.path.join(folder, f"override-desk-{size[0]}x{size[1]}.png"))
    assert window.size().toTuple() == size
    assert problems_of(window) == []
