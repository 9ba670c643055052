"""Fixtures of the engine tests: the real reference server on loopback and an enrolled kiosk."""

from __future__ import annotations

import pytest

from tests.e2e.harness import LiveServer, enroll_kiosk
from tests.sync.engine.support import ROSTER


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "server.sqlite3").start()
    yield live
    live.stop()


@pytest.fixture
def event_id(server):
    return server.create_event(ROSTER)


@pytest.fixture
def kiosk(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "kiosk", "A")
    yield k
    k.close()
