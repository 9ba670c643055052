"""The dashboard from the local replica: no server, figures counted on the DbWorker."""

from datetime import datetime

import pytest

from kiosk.app.dashboard import Dashboard
from kiosk.app.dashboard.chart import continuous_buckets, nice_ceiling
from kiosk.core.desk import CheckinDesk
from kiosk.core.walkins import register_walkin
from sync.replica import open_replica

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def dashboard(qtbot, services):
    widget = Dashboard(services, poll_interval_ms=200)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    yield widget
    widget.stop()


def door_rows(dashboard):
    table = dashboard.doors_table
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_it_counts_the_roster_before_anyone_arrives(qtbot, dashboard):
    with qtbot.waitSignal(dashboard.figures_shown, timeout=15_000):
        dashboard.start()
    assert dashboard.source == "replica"
    assert dashboard.arrived_tile.value_label.text() == "0 / 4"  # cancelled and waitlisted are not expected
    assert dashboard.inside_tile.value_label.text() == "0"
    assert dashboard.title_label.text() == "Demo Conference"
    assert dashboard.chart.buckets() == []
    assert "This kiosk" in dashboard.source_label.text()


def test_it_updates_after_a_checkin_made_by_another_kiosk_on_the_same_replica(qtbot, dashboard, replica):
    dashboard.start()
    qtbot.waitUntil(lambda: dashboard.figures is not None, timeout=15_000)
    # Another program on this machine (its own connection to the same replica file).
    other = open_replica(replica.path.parent)
    try:
        other_desk = CheckinDesk(other, door="Door 2", operator="sam")
        other_desk.scan("ADA-0001")
        other_desk.scan("GRACE-0002")
        other_desk.scan("GRACE-0002", "exit")
        register_walkin(other, "Katherine", "Johnson", None, desk=other_desk)
    finally:
        other.close()
    qtbot.waitUntil(lambda: dashboard.arrived_tile.value_label.text() == "3 / 4", timeout=15_000)
    assert dashboard.inside_tile.value_label.text() == "2"
    assert dashboard.walkins_tile.value_label.text() == "1"
    assert dashboard.duplicates_tile.value_label.text() == "0"
    assert dashboard.waiting_tile.value_label.text() == "5"  # 4 scans + 1 walk-in, not pushed
    assert door_rows(dashboard) == {"Door 2": "3"}
    assert sum(count for _, count in dashboard.chart.buckets()) == 3
    fleet = dashboard.fleet_table
    assert fleet.rowCount() == 1 and fleet.item(0, 4).text() == "5"


def test_a_local_change_is_counted_soon_without_waiting_for_the_timer(qtbot, services):
    dashboard = Dashboard(services, poll_interval_ms=60_000)
    qtbot.addWidget(dashboard)
    dashboard.show()
    with qtbot.waitSignal(dashboard.figures_shown, timeout=15_000):
        dashboard.start()
    services.desk.scan("BARBARA-0006")
    with qtbot.waitSignal(dashboard.figures_shown, timeout=15_000):
        dashboard.refresh()
    assert dashboard.arrived_tile.value_label.text() == "1 / 4"
    dashboard.stop()


def test_buckets_are_continuous_and_the_axis_is_round():
    t = datetime(2026, 11, 23, 9, 0)
    filled = continuous_buckets([(t, 3), (t.replace(minute=15), 1)])
    assert [count for _, count in filled] == [3, 0, 0, 1]
    assert [moment.minute for moment, _ in filled] == [0, 5, 10, 15]
    assert len(continuous_buckets([(t, 1), (t.replace(hour=23), 1)], limit=10)) == 10
    assert [nice_ceiling(v) for v in (0, 3, 6, 11, 21, 26, 99, 101, 730)] == [5, 5, 10, 15, 25, 30, 100, 150, 800]


def test_it_counts_only_while_on_screen(qtbot, services):
    dashboard = Dashboard(services, poll_interval_ms=100)
    qtbot.addWidget(dashboard)
    dashboard.start()  # started hidden, as the app does behind the door screen
    qtbot.wait(400)
    assert dashboard.figures is None and not dashboard.poller.active
    with qtbot.waitSignal(dashboard.figures_shown, timeout=15_000):
        dashboard.show()
    assert dashboard.poller.last_count_seconds is not None
    assert dashboard.poller.interval_ms >= 100
    dashboard.hide()
    assert not dashboard.poller.active
    services.desk.scan("ADA-0001")
    dashboard.refresh()
    qtbot.wait(500)
    assert dashboard.arrived_tile.value_label.text() == "0 / 4"  # nothing counted while hidden
    with qtbot.waitSignal(dashboard.figures_shown, timeout=15_000):
        dashboard.show()
    assert dashboard.arrived_tile.value_label.text() == "1 / 4"
    dashboard.stop()
