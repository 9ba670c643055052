"""The app shell enrolled with a real reference server on 127.0.0.1: the DbWorker's budget
(no job on an idle kiosk between sync rounds that changed nothing, one status read per burst of
scans), a failing background job reaching the log and the screen, a revoked kiosk saying why."""

from __future__ import annotations

import logging

import pytest

from kiosk.app.shell import KioskApp
from tests.app.conftest import staff_settings
from tests.e2e.harness import LiveServer, enroll_kiosk

WAIT_MS = 20_000

ROWS = [{"first_name": f"Guest{n}", "last_name": "Example", "email": f"guest{n}@example.org",
         "ticket_code": f"GUEST-{n:04d}"} for n in range(30)]


@pytest.fixture
def server(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture
def enrolled_shell(qtbot, qapp, server, tmp_path, monkeypatch):
    """The app on a kiosk enrolled with ``server`` whose event is downloaded, syncing every second."""
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "config.toml"))
    event_id = server.create_event(ROWS, name="Budget Conference")
    kiosk = enroll_kiosk(server, event_id, tmp_path / "kiosk", "A")
    kiosk.close()  # the app opens the replica itself and makes its own engine
    settings = staff_settings(tmp_path / "kiosk", camera=57, sync_interval_seconds=1, door_name="Door A")
    shell = KioskApp(qapp, settings, sounds_enabled=False)
    qtbot.addWidget(shell.window)
    shell.start()
    yield shell, server, event_id
    shell.shutdown()


def rounds_counter(shell):
    rounds = []
    shell.services.sync_bridge.sync_finished.connect(rounds.append)
    return rounds


def wait_for_rounds(qtbot, rounds, count):
    start = len(rounds)
    qtbot.waitUntil(lambda: len(rounds) >= start + count, timeout=WAIT_MS)
    return rounds[start:]


def test_an_idle_enrolled_kiosk_runs_no_database_job_between_sync_rounds(qtbot, enrolled_shell):
    shell, _server, _event = enrolled_shell
    rounds = rounds_counter(shell)
    wait_for_rounds(qtbot, rounds, 2)  # start-up settled: the event is on the door
    qtbot.waitUntil(lambda: "Budget Conference" in shell.door.event_label.full_text(), timeout=WAIT_MS)
    worker = shell.services.db_worker
    before = worker.jobs_submitted
    idle = wait_for_rounds(qtbot, rounds, 4)
    assert all(report.ok and not (report.changes.checkins or report.changes.attendees or report.changes.event)
               for report in idle), [report.error for report in idle]
    assert worker.jobs_submitted == before, "an idle kiosk re-read the replica after rounds that changed nothing"
    assert shell.door.status_line.connectivity == "online"
    assert "everything synced" in shell.door.status_line.text.text()


def test_a_burst_of_scans_costs_its_decisions_and_at_most_one_status_read(qtbot, enrolled_shell):
    shell, server, event_id = enrolled_shell
    rounds = rounds_counter(shell)
    wait_for_rounds(qtbot, rounds, 1)
    qtbot.waitUntil(lambda: "Budget Conference" in shell.door.event_label.full_text(), timeout=WAIT_MS)
    worker, keeper = shell.services.db_worker, shell.services.sync_status
    jobs_before, reads_before = worker.jobs_submitted, keeper.reads
    shown = []
    shell.door.decision_shown.connect(shown.append)
    for n in range(10):
        shell.door.scan_code(f"GUEST-{n:04d}")
    qtbot.waitUntil(lambda: len(shown) == 10, timeout=WAIT_MS)
    assert [d.colour for d in shown] == ["green"] * 10
    qtbot.wait(1500)  # the status read after the burst, if any, has run
    reads = keeper.reads - reads_before
    assert reads <= 1
    assert worker.jobs_submitted - jobs_before == 10 + reads
    # The scans reached the server by the engine the operations woke up, and the door says so.
    qtbot.waitUntil(lambda: server.stats(event_id).arrived == 10, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "everything synced" in shell.door.status_line.text.text(), timeout=WAIT_MS)


def test_a_failing_background_job_reaches_the_log_and_the_screen(qtbot, enrolled_shell, caplog):
    shell, _server, _event = enrolled_shell
    from kiosk.app.operations import QueryOp

    def broken(_session):
        raise ValueError("the count went wrong")

    with caplog.at_level(logging.ERROR):
        QueryOp(broken).run(shell.services.ops, shell.door.result_panel)
        qtbot.waitUntil(lambda: "Something went wrong" in shell.door.result_panel.headline.text(), timeout=WAIT_MS)
    assert "the count went wrong" in shell.door.result_panel.reason.text()
    assert "the count went wrong" in caplog.text and "Traceback" in caplog.text


def test_a_revoked_kiosk_says_so_at_the_door(qtbot, enrolled_shell):
    shell, server, _event = enrolled_shell
    rounds = rounds_counter(shell)
    wait_for_rounds(qtbot, rounds, 1)
    server.revoke_device(shell.replica.device_id)
    qtbot.waitUntil(lambda: shell.door.status_line.connectivity == "degraded", timeout=WAIT_MS)
    words = shell.door.status_line.text.text()
    assert "This kiosk was revoked by the organizer: enroll it again" in words
    # Scans still work from the replica, and wait to be synced.
    shown = []
    shell.door.decision_shown.connect(shown.append)
    shell.door.scan_code("GUEST-0001")
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert shown[0].colour == "green"
    qtbot.waitUntil(lambda: shell.door.status_line.waiting == 1, timeout=WAIT_MS)


def test_enrolling_from_the_staff_desk_brings_the_event_to_every_heading(qtbot, qapp, server, tmp_path, monkeypatch):
    # Issue 15, item 12: the desk's heading said "No event loaded" after enrolling.
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    event_id = server.create_event(ROWS, name="Budget Conference")
    code = server.enrollment_code(event_id, door="East door")
    settings = staff_settings(tmp_path / "fresh-kiosk", camera=57, sync_interval_seconds=1)
    shell = KioskApp(qapp, settings, sounds_enabled=False)
    qtbot.addWidget(shell.window)
    shell.start()
    try:
        desk = shell.desk_face
        assert "No event loaded" in desk.heading.full_text()
        shell.window.request_face("desk")
        desk.tabs.setCurrentWidget(desk.enrollment_page)
        page = desk.enrollment_page
        assert shell.window.focusWidget() is page.code_edit  # a scanned QR lands in the box without a click
        page.code_edit.setText(f"checkin-kiosk://enroll?server={server.url}&code={code}")
        with qtbot.waitSignal(page.device_enrolled, timeout=WAIT_MS):
            page.enroll()
        qtbot.waitUntil(lambda: "Budget Conference" in desk.heading.full_text(), timeout=WAIT_MS)
        assert "East door" in desk.heading.full_text()
        qtbot.waitUntil(lambda: "Budget Conference" in shell.door.event_label.full_text(), timeout=WAIT_MS)
    finally:
        shell.shutdown()
