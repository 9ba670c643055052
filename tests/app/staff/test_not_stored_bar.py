"""The staff desk and the dashboard say when scans were refused by the server, and resend them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.app import ops
from kiosk.app.dashboard import Dashboard
from kiosk.app.staff.staff_desk import StaffDesk
from sync.replica.queries import outbox

WAIT_MS = 10_000


def refuse_everything_sent(services):
    """What the engine writes when the server answers 'rejected' for each queued item."""
    with services.replica.session() as s:
        for row_id, *_ in outbox.pending_rows(s, "checkin", 100, 0):
            outbox.mark_refused(s, row_id, 1, "2026-12-02 10:00:00.000000", "wrong_event: not this event")


def test_refused_scans_are_shown_at_the_desk_and_dashboard_and_resent(qtbot, services):
    desk, dashboard = StaffDesk(services), Dashboard(services)
    for widget in (desk, dashboard):
        qtbot.addWidget(widget)
        widget.show()
    assert not desk.not_stored_bar.isVisible()
    done = []
    ops.scan("ADA-0001", "entry").success(done.append).run(services.ops)
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT_MS)
    refuse_everything_sent(services)
    services.sync_status.read()
    qtbot.waitUntil(lambda: desk.not_stored_bar.isVisible() and dashboard.not_stored_bar.isVisible(),
                    timeout=WAIT_MS)
    assert "1 scan refused by the server, not in the organizer's figures" in desk.not_stored_bar.message.text()

    qtbot.mouseClick(desk.not_stored_bar.resend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not desk.not_stored_bar.isVisible(), timeout=WAIT_MS)
    assert services.sync_status.status.waiting_to_sync == 1  # queued again, for the next sync
    dashboard.stop()
