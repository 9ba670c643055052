"""Settings, declared once: their types, defaults and help, and where they are read from.

Layers, each overriding the one before:

1. the defaults declared below;
2. the system file, written by IT (``site_config_dir``, e.g. ``/etc/xdg/checkin-kiosk/config.toml``);
3. the user file (``user_config_dir``, e.g. ``~/.config/checkin-kiosk/config.toml``), or the
   file named by ``KIOSK_CONFIG`` instead of it; the staff desk saves its changes there;
4. the environment: ``KIOSK_DATA_DIR``, ``KIOSK_LOG_DIR``;
5. ``overrides`` passed by the caller (the command line's ``--data-dir``, tests).

A bad file (TOML syntax, an unknown key, a wrong type) raises :class:`ConfigError`,
whose message names the file and the key: never a traceback for the user.

No secret is ever stored here: the device token lives in the OS keyring
(``sync/credentials.py``); the staff PIN is kept only as a salted scrypt hash.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

# The PIN's hashing lives in kiosk.pin_hash; callers keep importing these names from here.
from kiosk.pin_hash import DEMO_PIN, DEMO_PIN_HASH, check_pin, hash_pin, is_pin_hash  # noqa: F401
from sync import limits

APP_NAME = "checkin-kiosk"
CONFIG_FILENAME = "config.toml"

DECODERS = ("zxing", "pyzbar")


# Recorded with every scan and sent to the server: the server's bounds (sync.limits) apply here.
TEXT_BOUNDS = {"door_name": limits.MAX_DOOR_CHARS, "operator": limits.MAX_OPERATOR_CHARS}


class ConfigError(Exception):
    """A configuration file or value is wrong; the message says which and how."""


class PinChangeError(Exception):
    """A new staff PIN was refused (the current one was wrong); the message says so."""


def _default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False))


def _setting(default: Any = None, help: str = "", *, default_factory=None, repr: bool = True) -> Any:
    metadata = {"help": help}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=metadata, repr=repr)
    return field(default=default, metadata=metadata, repr=repr)


@dataclass(frozen=True)
class Settings:
    """Every setting of the app, with its type and default. Read with :func:`load_settings`."""

    server_url: str = _setting("", "central API base URL, e.g. https://checkin.example.org (empty: no server)")
    door_name: str = _setting("Door 1", "the name of this door, shown on screen and recorded with each scan")
    kiosk_mode: bool = _setting(False, "start the door screen full screen and locked (staff PIN to leave)")
    camera: int | str = _setting(0, "camera index (0 = first camera), or a video file or a folder of images")
    decoder: str = _setting("zxing", "QR decoder: 'zxing' (zxing-cpp) or 'pyzbar' (needs libzbar)")
    sounds: bool = _setting(True, "play a sound for each result")
    pin_hash: str = _setting(
        DEMO_PIN_HASH, "salted hash of the staff PIN (set it with `kiosk config set-pin`)", repr=False
    )
    operator: str = _setting("", "name of the staff member at this door, recorded with each scan")
    sync_interval_seconds: int = _setting(5, "seconds between two background syncs with the server")
    desk_scan_checks_in: bool = _setting(
        False, "a ticket scanned while the staff desk is shown checks the guest in (default: it only looks them up)"
    )
    scanner_prefix: str = _setting(
        "", "characters the hand scanner is set to send before each code (empty: none); when set, only "
        "bursts that start with them are scans"
    )
    scanner_suffix: str = _setting(
        "", "characters the hand scanner is set to send after each code, before Enter (empty: none); when set, "
        "only bursts that end with them are scans"
    )
    data_dir: Path = _setting(
        help="where the replica lives (env KIOSK_DATA_DIR)", default_factory=_default_data_dir
    )
    log_dir: Path = _setting(
        help="where the rotating log files go (env KIOSK_LOG_DIR)", default_factory=_default_log_dir
    )


# name -> (the accepted Python types, a word for messages); the single table of types.
_KINDS: dict[str, tuple[tuple[type, ...], str]] = {
    "server_url": ((str,), "a string"),
    "door_name": ((str,), "a string"),
    "kiosk_mode": ((bool,), "true or false"),
    "camera": ((int, str), "a camera number or a path"),
    "decoder": ((str,), "a string"),
    "sounds": ((bool,), "true or false"),
    "pin_hash": ((str,), "a string"),
    "operator": ((str,), "a string"),
    "sync_interval_seconds": ((int,), "a whole number of seconds"),
    "desk_scan_checks_in": ((bool,), "true or false"),
    "scanner_prefix": ((str,), "a string"),
    "scanner_suffix": ((str,), "a string"),
    "data_dir": ((str, Path), "a folder path"),
    "log_dir": ((str, Path), "a folder path"),
}
SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings))
assert set(SETTING_NAMES) == set(_KINDS), "declare each setting's kind in _KINDS"


def setting_help(name: str) -> str:
    """The one-line help of a setting."""
    return next(f.metadata["help"] for f in dataclasses.fields(Settings) if f.name == name)


# ---------------------------------------------------------------- where the files are


@dataclass(frozen=True)
class ConfigSources:
    """The files read, in order; ``user_file`` is also where changes are saved."""

    system_file: Path | None
    user_file: Path
    user_file_required: bool = False  # named explicitly (KIOSK_CONFIG): missing is an error


def system_config_file() -> Path:
    from platformdirs import site_config_dir

    return Path(site_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def user_config_file() -> Path:
    """The user file: ``KIOSK_CONFIG`` when set, else the platform's user config folder."""
    explicit = os.environ.get("KIOSK_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def default_sources() -> ConfigSources:
    return ConfigSources(
        system_file=system_config_file(),
        user_file=user_config_file(),
        user_file_required=bool(os.environ.get("KIOSK_CONFIG")),
    )


# ---------------------------------------------------------------- reading


def _read_toml(path: Path, *, must_exist: bool) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(f"{path}: the configuration file named by KIOSK_CONFIG does not exist") from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or delete the file") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc


def _check_value(name: str, value: Any, where: str) -> Any:
    """The value converted to its setting's type, or ConfigError naming ``where`` and ``name``."""
    if name not in _KINDS:
        known = ", ".join(SETTING_NAMES)
        raise ConfigError(f"{where}: unknown setting '{name}' (known settings: {known})")
    types, word = _KINDS[name]
    # bool is an int in Python; a number setting must not accept true/false, nor the reverse.
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise ConfigError(
            f"{where}: setting '{name}' must be {word}, not {type(value).__name__} {value!r}"
        )
    if name in ("data_dir", "log_dir"):
        if str(value).strip() == "":
            raise ConfigError(f"{where}: setting '{name}' must not be empty")
        return Path(value).expanduser()
    if name == "camera":
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)  # "1" from an environment or a form means camera 1
        if isinstance(value, int) and value < 0:
            raise ConfigError(f"{where}: setting 'camera' must be 0 or more, not {value}")
        if isinstance(value, str) and not value.strip():
            raise ConfigError(f"{where}: setting 'camera' must not be empty")
        return value
    if name == "decoder" and value not in DECODERS:
        raise ConfigError(
            f"{where}: setting 'decoder' must be one of {', '.join(DECODERS)}, not {value!r}"
        )
    bound = TEXT_BOUNDS.get(name)
    if bound is not None and len(value) > bound:
        # The server refuses longer ones: a scan recorded under them would never reach the organizer.
        raise ConfigError(f"{where}: setting '{name}' must be at most {bound} characters, not {len(value)}")
    if name == "sync_interval_seconds" and value < 1:
        raise ConfigError(f"{where}: setting 'sync_interval_seconds' must be at least 1, not {value}")
    if name == "server_url":
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}: setting 'server_url' must start with http:// or https://, not {value!r}"
            )
    if name == "pin_hash" and not is_pin_hash(value):
        raise ConfigError(
            f"{where}: setting 'pin_hash' is not a PIN hash; "
            "set the PIN with `kiosk config set-pin` instead of editing it"
        )
    return value


def _check_table(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {name: _check_value(name, value, where) for name, value in table.items()}


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, sources: ConfigSources | None = None
) -> Settings:
    """The settings in force: defaults, system file, user file, environment, ``overrides``.

    ``overrides`` values of ``None`` are ignored (an unset command-line option).
    Raises :class:`ConfigError` with a message fit for the user.
    """
    sources = sources or default_sources()
    values: dict[str, Any] = {}
    if sources.system_file is not None:
        path = sources.system_file
        values.update(_check_table(_read_toml(path, must_exist=False), str(path)))
    path = sources.user_file
    values.update(_check_table(_read_toml(path, must_exist=sources.user_file_required), str(path)))
    for name, var in (("data_dir", "KIOSK_DATA_DIR"), ("log_dir", "KIOSK_LOG_DIR")):
        if os.environ.get(var):
            values[name] = _check_value(name, os.environ[var], f"environment variable {var}")
    if overrides:
        given = {k: v for k, v in overrides.items() if v is not None}
        values.update(_check_table(given, "override"))
    return Settings(**values)


def origin_of(name: str, *, sources: ConfigSources | None = None) -> str:
    """Where a setting's value comes from ("default", a file path or an environment variable)."""
    sources = sources or default_sources()
    origin = "default"
    files = [p for p in (sources.system_file, sources.user_file) if p is not None]
    for path in files:
        try:
            if name in _read_toml(path, must_exist=False):
                origin = str(path)
        except ConfigError:
            pass
    env = {"data_dir": "KIOSK_DATA_DIR", "log_dir": "KIOSK_LOG_DIR"}.get(name)
    if env and os.environ.get(env):
        origin = f"environment variable {env}"
    return origin


# ---------------------------------------------------------------- saving


def toml_value(value: Any) -> str:
    """One value (str, int, bool or Path) written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t")
    )
    # Other control characters are not allowed raw in a TOML basic string.
    escaped = "".join(c if ord(c) >= 0x20 and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def to_toml(values: Mapping[str, Any]) -> str:
    """A flat TOML document of ``values`` (str, int, bool or Path), settings order, with help."""
    lines = ["# checkin-kiosk settings; see `kiosk config show` for all of them."]
    for name in SETTING_NAMES:
        if name in values:
            lines.append(f"# {setting_help(name)}")
            lines.append(f"{name} = {toml_value(values[name])}")
    return "\n".join(lines) + "\n"


def save_user_settings(
    settings: Settings, changes: Mapping[str, Any], *, sources: ConfigSources | None = None
) -> Settings:
    """Write ``changes`` into the user file (keeping what it already holds); return the new settings.

    The file is replaced atomically, so a crash never leaves half a file. Raises
    :class:`ConfigError` for an unknown key, a wrong type or an unwritable file.
    """
    sources = sources or default_sources()
    path = sources.user_file
    checked = _check_table(changes, "new value")
    stored = _check_table(_read_toml(path, must_exist=False), str(path))
    stored.update(checked)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            f.write(to_toml(stored))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot save the settings ({exc.strerror})") from exc
    return dataclasses.replace(settings, **checked)


def adopt_enrolled_door(settings: Settings, door: str, *, sources: ConfigSources | None = None) -> Settings:
    """The door an enrollment code was made for becomes this kiosk's door (kept in the user file)."""
    door = (door or "").strip()
    if not door or door == settings.door_name:
        return settings
    return save_user_settings(settings, {"door_name": door}, sources=sources)


# ---------------------------------------------------------------- the staff PIN

def is_demo_pin(settings: Settings) -> bool:
    """Whether the staff PIN is still the documented demo PIN."""
    return check_pin(settings.pin_hash, DEMO_PIN)
