"""Settings: layering of files, environment and overrides; clear errors; saving; the PIN hash."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kiosk import config
from kiosk.config import (
    DEMO_PIN,
    ConfigError,
    ConfigSources,
    Settings,
    check_pin,
    hash_pin,
    is_demo_pin,
    load_settings,
    save_user_settings,
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in ("KIOSK_CONFIG", "KIOSK_DATA_DIR", "KIOSK_LOG_DIR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def sources(tmp_path) -> ConfigSources:
    return ConfigSources(system_file=tmp_path / "etc" / "config.toml", user_file=tmp_path / "home" / "config.toml")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(sources):
    s = load_settings(sources=sources)
    assert s.decoder == "zxing"
    assert s.camera == 0
    assert s.kiosk_mode is False and s.sounds is True
    assert s.sync_interval_seconds == 5
    assert s.data_dir.name == "checkin-kiosk"
    assert is_demo_pin(s)


def test_user_file_overrides_system_file(sources):
    write(sources.system_file, 'door_name = "Main"\nserver_url = "https://hub.example/"\nsounds = false\n')
    write(sources.user_file, 'door_name = "Side"\ncamera = "/tmp/frames"\n')
    s = load_settings(sources=sources)
    assert s.door_name == "Side"  # user beats system
    assert s.server_url == "https://hub.example"  # trailing slash dropped
    assert s.sounds is False
    assert s.camera == "/tmp/frames"


def test_environment_and_overrides_beat_files(sources, tmp_path, monkeypatch):
    write(sources.user_file, f'data_dir = "{tmp_path / "from-file"}"\nlog_dir = "{tmp_path / "logs-file"}"\n')
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "logs-env"))
    s = load_settings(sources=sources)
    assert s.data_dir == tmp_path / "from-env"
    assert s.log_dir == tmp_path / "logs-env"
    s = load_settings({"data_dir": tmp_path / "from-cli", "door_name": None}, sources=sources)
    assert s.data_dir == tmp_path / "from-cli"
    assert s.door_name == "Door 1"  # None means "not given"


def test_kiosk_config_names_the_user_file(tmp_path, monkeypatch):
    explicit = write(tmp_path / "kiosk.toml", 'door_name = "Explicit"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(explicit))
    assert config.default_sources().user_file == explicit
    assert load_settings(sources=config.default_sources()).door_name == "Explicit"


def test_kiosk_config_naming_a_missing_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml.*does not exist"):
        load_settings(sources=config.default_sources())


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('door_nmae = "x"\n', r"unknown setting 'door_nmae'"),
        ("kiosk_mode = 1\n", r"'kiosk_mode' must be true or false, not int 1"),
        ("sync_interval_seconds = true\n", r"'sync_interval_seconds' must be a whole number"),
        ('sync_interval_seconds = "30"\n', r"'sync_interval_seconds' must be a whole number"),
        ("sync_interval_seconds = 0\n", r"at least 1"),
        ('decoder = "zbar"\n', r"'decoder' must be one of zxing, pyzbar"),
        ('server_url = "hub.example"\n', r"'server_url' must start with http"),
        ("camera = -1\n", r"'camera' must be 0 or more"),
        ('pin_hash = "1234"\n', r"'pin_hash' is not a PIN hash"),
        ('data_dir = ""\n', r"'data_dir' must not be empty"),
        ("door_name = \n", r"not valid TOML"),
        ("[server]\nurl = 'x'\n", r"unknown setting 'server'"),
    ],
)
def test_bad_user_file_names_the_file_and_the_key(sources, text, pattern):
    write(sources.user_file, text)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_settings(sources=sources)
    assert str(sources.user_file) in str(info.value)


def test_bad_environment_value_names_the_variable(sources, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", "   ")
    with pytest.raises(ConfigError, match="KIOSK_DATA_DIR"):
        load_settings(sources=sources)


def test_camera_digits_mean_a_camera_index(sources):
    write(sources.user_file, 'camera = "2"\n')
    assert load_settings(sources=sources).camera == 2


def test_save_keeps_other_keys_and_round_trips(sources):
    write(sources.user_file, 'operator = "Grace"\n')
    before = load_settings(sources=sources)
    tricky = 'Door "2"\\ north\tside\n\x01'
    after = save_user_settings(
        before, {"door_name": tricky, "kiosk_mode": True, "sync_interval_seconds": 12}, sources=sources
    )
    assert after.door_name == tricky and after.kiosk_mode and after.sync_interval_seconds == 12
    stored = tomllib.loads(sources.user_file.read_text(encoding="utf-8"))
    assert stored == {"door_name": tricky, "operator": "Grace", "kiosk_mode": True, "sync_interval_seconds": 12}
    assert load_settings(sources=sources) == after
    assert not list(sources.user_file.parent.glob("*.tmp"))


def test_save_refuses_unknown_or_wrong_values_and_leaves_the_file(sources):
    write(sources.user_file, 'operator = "Grace"\n')
    settings = load_settings(sources=sources)
    with pytest.raises(ConfigError, match="unknown setting 'token'"):
        save_user_settings(settings, {"token": "abc"}, sources=sources)
    with pytest.raises(ConfigError, match="'sounds' must be true or false"):
        save_user_settings(settings, {"sounds": "yes"}, sources=sources)
    assert sources.user_file.read_text(encoding="utf-8") == 'operator = "Grace"\n'


def test_save_into_an_unwritable_place_is_a_clear_error(tmp_path):
    blocker = write(tmp_path / "file", "")
    sources = ConfigSources(system_file=None, user_file=blocker / "sub" / "config.toml")
    with pytest.raises(ConfigError, match=r"config\.toml: cannot (be read|save the settings)"):
        save_user_settings(Settings(), {"operator": "x"}, sources=sources)


def test_pin_hash_is_salted_and_checked():
    first, second = hash_pin("4711"), hash_pin("4711")
    assert first != second  # a fresh salt each time
    assert check_pin(first, "4711") and check_pin(second, "4711")
    assert not check_pin(first, "4712")
    assert not check_pin(first, "")
    assert not check_pin("garbage", "4711")
    assert not check_pin("scrypt$1073741824$8$1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0ZGlnZXN0", "4711")
    assert "4711" not in first


def test_demo_pin_constant_is_the_hash_of_the_demo_pin():
    assert check_pin(config.DEMO_PIN_HASH, DEMO_PIN)
    s = Settings(pin_hash=hash_pin("9999"))
    assert not is_demo_pin(s)
    assert "pin_hash" not in repr(s)


def test_saved_pin_hash_loads_back(sources):
    new = save_user_settings(load_settings(sources=sources), {"pin_hash": hash_pin("2468")}, sources=sources)
    assert check_pin(load_settings(sources=sources).pin_hash, "2468")
    assert not is_demo_pin(new)


def test_every_setting_has_help():
    for name in config.SETTING_NAMES:
        assert config.setting_help(name)
