"""kiosk.doctor.replica: the replica file read-only, healthy, newer, damaged or not a database."""

from __future__ import annotations

import sqlite3

from kiosk.doctor import replica as replica_check
from kiosk.doctor.report import FAIL, OK, WARN


def test_no_replica_yet_is_a_warning_and_creates_nothing(tmp_path):
    check = replica_check.check_replica(tmp_path / "data")
    assert check.status == WARN and "kiosk import-roster" in check.fix
    assert not (tmp_path / "data").exists()


def test_healthy_replica(tmp_path):
    from sync.replica import open_replica

    replica = open_replica(tmp_path)
    replica.set_state("event_id", "ev-42")
    head = replica.schema_revision()
    replica.close()
    check = replica_check.check_replica(tmp_path)
    assert check.status == OK
    assert f"schema {head}" in check.message and "event ev-42" in check.message
    assert "0 attendees" in check.message and "0 change(s) waiting" in check.message


def test_replica_from_a_newer_app_fails(tmp_path):
    from sync.replica import open_replica

    open_replica(tmp_path).close()
    with sqlite3.connect(tmp_path / "replica.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    check = replica_check.check_replica(tmp_path)
    assert check.status == FAIL and "newer version" in check.message


def test_damaged_replica_fails(tmp_path):
    from sync.replica import open_replica

    replica = open_replica(tmp_path)
    with replica.session() as s:
        from sync.replica.models import SyncState

        s.add_all(SyncState(key=f"k{i}", value="v" * 200) for i in range(400))
    replica.close()
    path = tmp_path / "replica.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[5 * page : 7 * page] = b"\xa5" * (2 * page)  # scribble over index/table pages
    path.write_bytes(bytes(data))
    check = replica_check.check_replica(tmp_path)
    assert check.status == FAIL
    assert "damaged" in check.message or "not a readable replica" in check.message


def test_file_that_is_not_a_database_fails(tmp_path):
    (tmp_path / "replica.sqlite3").write_bytes(b"hello, this is not sqlite" * 100)
    check = replica_check.check_replica(tmp_path)
    assert check.status == FAIL
