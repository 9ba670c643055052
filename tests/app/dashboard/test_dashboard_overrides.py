"""The dashboard's "Let in anyway" tile: supervisors' forced check-ins, from the replica and from the server."""

import os
from datetime import datetime

import pytest
from sqlalchemy import select

from kiosk.app.dashboard import Dashboard
from kiosk.app.dashboard.figures import SERVER, from_server_stats
from kiosk.app.dashboard.server_stream import StatsEventStream
from kiosk.core.desk import CheckinDesk
from sync import wire
from sync.replica.models import Attendee
from tests.app.staff.support import make_services, stop_services
from tests.e2e.harness import LiveServer, enroll_kiosk

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


def test_an_override_at_another_kiosk_reaches_the_live_dashboard_through_the_server(qtbot, tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    rows = [{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "ticket_code": "ADA-0001"},
            {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.org", "ticket_code": "ALAN-0003",
             "status": "cancelled"}]
    event_id = server.create_event(rows, name="Live Conference")
    kiosk_a, kiosk_b = (enroll_kiosk(server, event_id, tmp_path / name, name) for name in ("A", "B"))
    services = make_services(kiosk_a.replica, door=kiosk_a.door)
    token = kiosk_a.credentials.load()
    dashboard = Dashboard(services, lambda: StatsEventStream(server.url, token, event_id), poll_interval_ms=200)
    qtbot.addWidget(dashboard)
    dashboard.show()
    try:
        dashboard.start()
        qtbot.waitUntil(lambda: dashboard.source == "server", timeout=10_000)
        with kiosk_b.replica.session(write=False) as s:
            alan = s.scalar(select(Attendee.id).where(Attendee.ticket_code == "ALAN-0003"))
        kiosk_b.desk.force_checkin(alan, "Speaker, approved by Jo")
        assert kiosk_b.engine.sync_once().ok
        qtbot.waitUntil(lambda: dashboard.overrides_tile.value_label.text() == "1", timeout=10_000)
        assert dashboard.source == "server" and dashboard.arrived_tile.value_label.text() == "1 / 1"
    finally:
        dashboard.stop()
        stop_services(services)
        for kiosk in (kiosk_a, kiosk_b):
            kiosk.close()
        server.stop()
