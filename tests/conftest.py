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
