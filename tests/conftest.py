"""Suite-wide setup: Qt draws offscreen, and no test touches the real user folders."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KIOSK_LOG_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "checkin-kiosk-test-logs"))


@pytest.fixture(autouse=True)
def own_config_file(tmp_path, monkeypatch):
    """Each test reads and writes its own empty user config file, never the developer's and
    never another test's (the staff desk, `config set` and enrollment write settings)."""
    path = tmp_path / "user-config.toml"
    path.touch()
    monkeypatch.setenv("KIOSK_CONFIG", str(path))
    return path


@pytest.fixture
def live_server(tmp_path):
    """The reference server over real HTTP on 127.0.0.1 (``sync.server.thread.ServerThread``, the
    class the demo serves with), on SQLite in this test's folder; restartable, stopped afterwards."""
    from tests.live_server import LiveServer

    server = LiveServer(tmp_path / "live-server.sqlite3").start()
    try:
        yield server
    finally:
        server.stop()
