"""Operations: a write says what it changed, once, through one signal; a query of a "latest"
key answers only the newest; every failure reaches a handler or the log and the screen.
Real workers, a real replica (the door fixtures), real check-ins."""

from __future__ import annotations

import logging

from kiosk.app import ops
from kiosk.app.operations import QueryOp, WriteOp
from sync.changes import Changed, Changes

WAIT_MS = 10_000


class Recorder:
    def __init__(self, services):
        self.changes: list[tuple[Changes, object]] = []
        self.failures: list[tuple[str, object]] = []
        services.ops.changes.connect(lambda changes, initiator: self.changes.append((changes, initiator)))
        services.ops.operation_failed.connect(lambda message, initiator: self.failures.append((message, initiator)))


def test_a_scan_says_it_changed_the_log_and_the_outbox_and_nothing_else(qtbot, door_services):
    seen = Recorder(door_services)
    initiator = object()
    decisions = []
    ops.scan("ADA-0001", "entry").success(decisions.append).run(door_services.ops, initiator)
    qtbot.waitUntil(lambda: bool(decisions) and any(who is initiator for _, who in seen.changes), timeout=WAIT_MS)
    assert decisions[0].colour == "green"
    # Besides the scan's own announcement, only the sync status keeper's (its start-up read) may come.
    assert {who for _, who in seen.changes} <= {initiator, door_services.sync_status}
    changes = next(changes for changes, who in seen.changes if who is initiator)
    assert changes.checkins and changes.attendees and changes.outbox
    assert not (changes.event or changes.settings)


def test_a_lookup_changes_nothing_and_announces_nothing(qtbot, door_services):
    seen = Recorder(door_services)
    answers = []
    ops.warm_up().success(answers.append).run(door_services.ops)
    ops.read_sync_status().success(answers.append).run(door_services.ops)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=WAIT_MS)
    assert [c for c, who in seen.changes if who is not door_services.sync_status] == []


def test_an_undo_that_undid_nothing_announces_nothing(qtbot, door_services):
    found = []
    ops.search("grace").success(found.extend).run(door_services.ops)
    qtbot.waitUntil(lambda: bool(found), timeout=WAIT_MS)
    seen = Recorder(door_services)
    outcomes = []
    ops.undo_attendee(found[0].id).success(outcomes.append).run(door_services.ops)
    qtbot.waitUntil(lambda: bool(outcomes), timeout=WAIT_MS)
    assert not outcomes[0].undone
    qtbot.wait(50)
    assert seen.changes == []


def test_only_the_newest_search_is_answered(qtbot, door_services):
    answers = []
    for text in ("a", "ad", "ada", "ada lov"):
        ops.search(text).success(lambda views, t=text: answers.append((t, views))).run(door_services.ops)
    qtbot.waitUntil(lambda: any(t == "ada lov" for t, _ in answers), timeout=WAIT_MS)
    qtbot.wait(50)
    assert [t for t, _ in answers] == ["ada lov"]
    assert [v.full_name for v in answers[0][1]] == ["Ada Lovelace"]


def test_a_failing_operation_without_a_handler_is_logged_with_its_traceback_and_announced(
        qtbot, door_services, caplog):
    seen = Recorder(door_services)
    initiator = object()

    def broken(_session):
        raise ZeroDivisionError("a bug in a background job")

    with caplog.at_level(logging.ERROR):
        QueryOp(broken).run(door_services.ops, initiator)
        qtbot.waitUntil(lambda: bool(seen.failures), timeout=WAIT_MS)
    message, who = seen.failures[0]
    assert who is initiator
    assert "ZeroDivisionError" in message and "log" in message
    assert "a bug in a background job" in caplog.text and "Traceback" in caplog.text


def test_a_bug_handled_on_screen_still_reaches_the_log(qtbot, door_services, caplog):
    handled = []

    def broken(_session):
        raise KeyError("handled but still a bug")

    with caplog.at_level(logging.ERROR):
        WriteOp(broken).failure(handled.append).run(door_services.ops)
        qtbot.waitUntil(lambda: bool(handled), timeout=WAIT_MS)
    assert isinstance(handled[0], KeyError)
    assert "handled but still a bug" in caplog.text


def test_a_worker_job_submitted_directly_that_fails_is_not_lost(qtbot, door_services):
    seen = Recorder(door_services)

    def broken():
        raise RuntimeError("submitted without on_error")

    door_services.db_worker.submit(broken)
    qtbot.waitUntil(lambda: bool(seen.failures), timeout=WAIT_MS)
    assert "submitted without on_error" in seen.failures[0][0]


def test_changes_combine_and_name_their_flags():
    both = Changes(checkins=True) | Changes(outbox=True)
    assert both.names() == ["checkins", "outbox"]
    assert not Changes() and both
    assert Changed(1, both).changes is both

