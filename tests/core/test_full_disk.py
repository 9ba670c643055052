"""A full disk: the scan that cannot be written says so plainly, and nothing written before is lost.

SQLite's own "database or disk is full" (SQLITE_FULL) is produced for real by capping the
replica's size with PRAGMA max_page_count on every connection, the error a full disk gives.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from sync import outbox
from sync.replica import open_replica
from sync.replica.database import ReplicaError
from sync.replica.models import Checkin


def _cap_size(replica, pages: int) -> None:
    """Every connection made from now on may not grow the database beyond ``pages`` pages."""

    def cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    replica.engine.dispose()  # connections made before the cap would ignore it
    event.listen(replica.engine, "connect", cap)


def _fill(replica, clock, pages_free: int = 2) -> tuple[int, list[str], ReplicaError]:
    """Cap the replica a few pages above its size and scan (entry, exit, ...) until it is full."""
    with replica.engine.connect() as conn:
        cap = conn.exec_driver_sql("PRAGMA page_count").scalar() + pages_free
    _cap_size(replica, cap)
    desk = CheckinDesk(replica, door="Door 1", clock=clock)
    recorded: list[str] = []  # check-in ids of every scan the desk answered
    for i in range(20_000):
        try:
            decision = desk.scan("ADA-0001", "exit" if i % 2 else "entry")
        except ReplicaError as exc:
            return cap, recorded, exc
        assert decision.result in (Result.ADMITTED, Result.EXITED)
        recorded.append(decision.checkin_id)
    raise AssertionError("the capped replica never filled up")


def test_a_full_disk_refuses_the_scan_clearly_and_loses_nothing(roster_replica, clock, tmp_path):
    _, recorded, failure = _fill(roster_replica, clock)
    assert str(failure) == "The disk is full: free some space, nothing has been lost."
    assert len(recorded) > 10

    # Space is freed (the cap lifted): every answered scan is there, in the log and the outbox,
    # and the refused one left no half-written trace.
    roster_replica.close()
    reopened = open_replica(tmp_path / "data")
    try:
        with reopened.session(write=False) as s:
            assert set(s.scalars(select(Checkin.id))) == set(recorded)
            assert s.scalar(select(func.count()).select_from(Checkin)) == len(recorded)
            assert outbox.pending_count(s) == len(recorded)
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        after = CheckinDesk(reopened, door="Door 1", clock=clock).scan("GRACE-0002")
        assert after.result is Result.ADMITTED
    finally:
        reopened.close()


@pytest.mark.parametrize("command", [["checkin", "GRACE-0002"], ["walkin", "--first-name", "Zoe"]])
def test_the_command_line_says_the_disk_is_full_in_one_line(roster_replica, clock, tmp_path, capsys, monkeypatch,
                                                             command):
    from kiosk import cli
    from sync import replica as replica_package

    cap, recorded, _ = _fill(roster_replica, clock)
    roster_replica.close()
    real_open = replica_package.open_replica

    def open_full(*args, **kwargs):  # the command's own replica, on the same full disk
        opened = real_open(*args, **kwargs)
        _cap_size(opened, cap)
        return opened

    monkeypatch.setattr(replica_package, "open_replica", open_full)
    status = cli.main(["--data-dir", str(tmp_path / "data"), *command])
    assert status == cli.EXIT_ERROR
    assert capsys.readouterr().err == "kiosk: The disk is full: free some space, nothing has been lost.\n"
    replica = real_open(tmp_path / "data")
    try:
        with replica.session(write=False) as s:
            assert s.scalar(select(func.count()).select_from(Checkin)) == len(recorded)
    finally:
        replica.close()
