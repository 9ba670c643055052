"""The dashboard live from the real server's stream: another kiosk's check-in shows up;
when the server goes away the dashboard falls back to the local replica, and comes back."""

import pytest

from kiosk.app.dashboard import Dashboard
from kiosk.app.dashboard.server_stream import StatsEventStream, StreamError, parse_events, parse_stats
from tests.app.staff.support import make_services, stop_services
from tests.e2e.harness import LiveServer, enroll_kiosk

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]

ROWS = [
    {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "ticket_code": "ADA-0001"},
    {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org", "ticket_code": "GRACE-0002"},
    {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.org", "ticket_code": "ALAN-0003"},
]


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture
def fleet(server, tmp_path):
    event_id = server.create_event(ROWS, name="Live Conference")
    kiosks = [enroll_kiosk(server, event_id, tmp_path / name, name) for name in ("A", "B")]
    yield event_id, kiosks
    for kiosk in kiosks:
        kiosk.close()


@pytest.fixture
def dashboard(qtbot, server, fleet):
    event_id, (kiosk_a, _kiosk_b) = fleet
    services = make_services(kiosk_a.replica, door=kiosk_a.door)
    token = kiosk_a.credentials.load()
    widget = Dashboard(services, lambda: StatsEventStream(server.url, token, event_id), poll_interval_ms=200)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    yield widget
    widget.stop()
    stop_services(services)


def fleet_rows(dashboard):
    table = dashboard.fleet_table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_a_checkin_on_another_kiosk_reaches_the_dashboard_through_the_server(qtbot, dashboard, fleet):
    _event_id, (kiosk_a, kiosk_b) = fleet
    dashboard.start()
    qtbot.waitUntil(lambda: dashboard.source == "server", timeout=10_000)
    assert dashboard.arrived_tile.value_label.text() == "0 / 3"
    assert "Live from the server" in dashboard.source_label.text()

    kiosk_b.desk.scan("GRACE-0002")
    assert kiosk_b.engine.sync_once().ok
    qtbot.waitUntil(lambda: dashboard.arrived_tile.value_label.text() == "1 / 3", timeout=10_000)
    assert dashboard.inside_tile.value_label.text() == "1"
    assert dashboard.doors_table.item(0, 0).text() == "Door B"
    assert sum(count for _, count in dashboard.chart.buckets()) == 1
    # The fleet: both kiosks, with their doors, seen by the server.
    qtbot.waitUntil(lambda: len(fleet_rows(dashboard)) == 2, timeout=10_000)
    assert sorted(row[1] for row in fleet_rows(dashboard)) == ["Door A", "Door B"]
    # Kiosk A's own replica still knows nothing of it: the figures are the server's.
    assert kiosk_a.replica.get_state("event_id") is not None


def test_without_the_server_it_counts_locally_and_goes_back_live_when_it_returns(qtbot, dashboard, server, fleet):
    _event_id, (kiosk_a, kiosk_b) = fleet
    dashboard.start()
    qtbot.waitUntil(lambda: dashboard.source == "server", timeout=10_000)

    server.stop()  # the Wi-Fi dies
    qtbot.waitUntil(lambda: dashboard.source == "replica", timeout=10_000)
    assert "server unreachable" in dashboard.source_label.text()
    kiosk_a.desk.scan("ADA-0001")  # this kiosk keeps checking people in
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.arrived_tile.value_label.text() == "1 / 3", timeout=10_000)
    assert dashboard.waiting_tile.value_label.text() == "1"

    server.start()  # the Wi-Fi returns: kiosk A pushes, the stream reconnects with everyone's figures
    kiosk_b.desk.scan("ALAN-0003")
    assert kiosk_a.engine.sync_once().ok and kiosk_b.engine.sync_once().ok
    qtbot.waitUntil(lambda: dashboard.source == "server", timeout=20_000)
    qtbot.waitUntil(lambda: dashboard.arrived_tile.value_label.text() == "2 / 3", timeout=10_000)


def test_the_stream_reader_refuses_what_is_not_stats():
    events = list(parse_events(["retry: 3000", "", ": keep-alive", "event: stats", "data: {", "data: }", "",
                                "event: heartbeat", "data: {}", ""]))
    assert events == [("stats", "{\n}"), ("heartbeat", "{}")]
    with pytest.raises(StreamError, match="not JSON"):
        parse_stats("<html>")
    with pytest.raises(StreamError, match="malformed stats"):
        parse_stats('{"event_id": "e", "expected": "many"}')


def test_a_wrong_token_is_a_clear_refusal(server, fleet):
    event_id, _kiosks = fleet
    stream = StatsEventStream(server.url, "not-a-token", event_id)
    with pytest.raises(StreamError, match="refused the live stream"):
        next(iter(stream))
    stream.close()


def test_an_enrolled_kiosk_finds_its_stream_by_itself(qtbot, server, fleet, monkeypatch):
    """No stream opener passed in: the dashboard reads the enrollment (server, event, token)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # the token's private file
    _event_id, (kiosk_a, kiosk_b) = fleet
    services = make_services(kiosk_a.replica, door=kiosk_a.door)
    widget = Dashboard(services, poll_interval_ms=200)
    qtbot.addWidget(widget)
    try:
        widget.start()
        qtbot.waitUntil(lambda: widget.source == "server", timeout=10_000)
        kiosk_b.desk.scan("ADA-0001")
        assert kiosk_b.engine.sync_once().ok
        qtbot.waitUntil(lambda: widget.arrived_tile.value_label.text() == "1 / 3", timeout=10_000)
    finally:
        widget.stop()
        stop_services(services)


def test_a_kiosk_that_is_not_enrolled_counts_locally(qtbot, tmp_path):
    from tests.app.staff.support import filled_replica, write_roster

    replica = filled_replica(tmp_path / "alone", write_roster(tmp_path / "roster.csv"))
    services = make_services(replica)
    widget = Dashboard(services, poll_interval_ms=200)
    qtbot.addWidget(widget)
    widget.show()
    try:
        with qtbot.waitSignal(widget.figures_shown, timeout=15_000):
            widget.start()
        qtbot.wait(300)  # the enrollment lookup has answered: nothing to stream from
        assert widget.stream is None and widget.source == "replica"
    finally:
        widget.stop()
        stop_services(services)
        replica.close()
