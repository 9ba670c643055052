"""The sync_state table's named queries, through a session and through a plain read-only connection."""

from __future__ import annotations

import sqlite3

from sync.replica.queries import sync_state
from tests.core import conftest as core

replica = core.replica  # the core tests' fixture: a fresh replica in tmp_path


def test_put_get_values_delete(replica):
    with replica.session() as s:
        sync_state.put(s, "a", "1")
        sync_state.put_many(s, {"b": "2", "c": "3"})
        sync_state.put(s, "a", "one")
    with replica.session(write=False) as s:
        assert sync_state.get(s, "a") == "one"
        assert sync_state.get(s, "nothing") is None
        assert sync_state.values(s, ("a", "c", "nothing")) == {"a": "one", "c": "3"}
        assert sync_state.values(s, ()) == {}
    assert replica.get_state("b") == "2"  # the same table the Replica's own helpers use
    with replica.session() as s:
        sync_state.delete(s, ("a", "b"))
    conn = sqlite3.connect(f"{replica.path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert sync_state.values(conn, ("a", "b", "c")) == {"c": "3"}
    finally:
        conn.close()


def test_the_current_event(replica):
    from sync.replica.queries import events
    from tests.core.conftest import add_event

    with replica.session(write=False) as s:
        assert events.current(s) == (None, None)
    replica.set_state("event_id", "evt-9")
    with replica.session(write=False) as s:
        assert events.current(s) == ("evt-9", None)  # named, not downloaded yet
    add_event(replica, "evt-9", "Nine")
    with replica.session(write=False) as s:
        event_id, event = events.current(s)
        assert event_id == "evt-9" and event.name == "Nine"
