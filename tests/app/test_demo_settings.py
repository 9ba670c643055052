"""The demo never writes to the user's real settings, nor takes them (issue 15, item 16)."""

from __future__ import annotations

import tomllib
from types import SimpleNamespace

from kiosk.app import ops
from kiosk.app.main import demo_settings
from kiosk.app.services import Services
from kiosk.cli.parser import AppOptions
from kiosk.config import hash_pin, is_demo_pin
from kiosk.session import KioskSession

WAIT_MS = 15_000


def test_the_demo_has_settings_of_its_own_and_saves_them_in_its_folder(qtbot, door_replica, tmp_path, monkeypatch):
    user_file = tmp_path / "user-config.toml"
    user_file.write_text(f'door_name = "Real door"\npin_hash = "{hash_pin("9999")}"\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(user_file))
    before = user_file.read_text(encoding="utf-8")
    demo = SimpleNamespace(folder=tmp_path / "demo", data_dir=door_replica.path.parent,
                           server_url="http://127.0.0.1:9", door="Main entrance")
    settings, sources = demo_settings(demo, AppOptions(demo=True, kiosk_mode=False), tmp_path / "logs")
    assert (settings.door_name, settings.data_dir, settings.log_dir) == ("Main entrance", demo.data_dir,
                                                                         tmp_path / "logs")
    assert is_demo_pin(settings)  # the PIN the demo announces, whatever the user's is
    assert sources.user_file == demo.folder / "config.toml"

    services = Services(KioskSession(settings, door_replica, config_sources=sources))
    try:
        saved = []
        ops.save_settings({"door_name": "Demo desk"}, None).success(saved.append).run(services.ops)
        qtbot.waitUntil(lambda: bool(saved), timeout=WAIT_MS)
    finally:
        assert services.stop_workers()
    assert tomllib.loads(sources.user_file.read_text(encoding="utf-8"))["door_name"] == "Demo desk"
    assert user_file.read_text(encoding="utf-8") == before
