"""The dashboard's "Let in anyway" tile: supervisors' forced check-ins, from the replica and from the server."""

import os
from datetime import datetime

import pytest
from sqlalchemy import select

from kiosk.app.dashboard import Dashboard
from kiosk.app.dashboard.figures import SERVER, from_server_stats
from kiosk.core.desk import CheckinDesk
from sync import wire
from sync.replica.models import Attendee

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


def test_a_forced_checkin_shows_on_the_tile_from_the_replica(qtbot, services, replica):
    dashboard = Dashboard(services, poll_interval_ms=200)
    qtbot.addWidget(dashboard)
    dashboard.resize(1024, 600)
    dashboard.show()
    dashboard.start()
    try:
        qtbot.waitUntil(lambda: dashboard.figures is not None, timeout=15_000)
        assert dashboard.overrides_tile.value_label.text() == "0"
        with replica.session(write=False) as s:
            edsger = s.scalar(select(Attendee.id).where(Attendee.ticket_code == "EDSGER-0004"))
        CheckinDesk(replica, door="Door 1").force_checkin(edsger, "Speaker, approved by Jo")
        qtbot.waitUntil(lambda: dashboard.overrides_tile.value_label.text() == "1", timeout=15_000)
        assert dashboard.arrived_tile.value_label.text().startswith("1 /")
        if os.environ.get("KIOSK_SCREENSHOTS"):
            dashboard.grab().save(os.path.join(os.environ["KIOSK_SCREENSHOTS"], "override_dashboard.png"))
    finally:
        dashboard.stop()


def test_the_server_figures_carry_the_overrides():
    stats = wire.Stats(event_id="evt-1", expected=3, arrived=2, inside=2, walk_ins=0, walk_ins_merged=0,
                       duplicates=0, flagged=1, overrides=1, generated_at=datetime(2026, 11, 23, 9, 0))
    figures = from_server_stats(stats, "Conf")
    assert figures.source == SERVER and figures.overrides == 1
    # A server from before overrides were counted sends none: nought, not an error.
    older = wire.Stats.model_validate({k: v for k, v in stats.model_dump().items() if k != "overrides"})
    assert from_server_stats(older).overrides == 0
