"""The replica's durability settings: what a committed check-in survives (see README, "synchronous")."""

from __future__ import annotations

from sync.replica import open_replica

# PRAGMA synchronous values: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
SYNCHRONOUS_FULL = 2


def test_every_replica_connection_commits_with_an_fsync_in_wal_mode(tmp_path):
    replica = open_replica(tmp_path / "data")
    try:
        with replica.session(write=False) as session:
            pragma = session.connection().exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == SYNCHRONOUS_FULL
        replica.engine.dispose()  # a fresh connection is set up the same way
        with replica.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == SYNCHRONOUS_FULL
    finally:
        replica.close()
