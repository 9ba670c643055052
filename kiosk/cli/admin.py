"""Admin commands for IT: `kiosk doctor`, `kiosk config show|path|set|set-pin`."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli.common import EXIT_USAGE, CliError, cli_settings, print_json
from kiosk.config import (
    SETTING_NAMES,
    ConfigError,
    Settings,
    default_sources,
    hash_pin,
    is_demo_pin,
    load_settings,
    origin_of,
    save_user_settings,
    setting_help,
    toml_value,
)

MIN_PIN_LENGTH = 4
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _settings(args) -> Settings:
    return cli_settings(args.data_dir)


# ---- doctor -----------------------------------------------------------------


def cmd_doctor(args) -> int:
    from kiosk import doctor

    problem = None
    try:
        settings = load_settings({"data_dir": args.data_dir})
    except ConfigError as exc:
        # Still check everything else, with the defaults, and report the bad file first.
        problem = str(exc)
        settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    checks = doctor.run_checks(settings, config_problem=problem)
    if args.json:
        print_json({"ready": doctor.exit_status(checks) == 0, "checks": [c.as_dict() for c in checks]})
    else:
        print(doctor.format_report(checks))
    return doctor.exit_status(checks)


# ---- config -----------------------------------------------------------------


def _shown(settings: Settings, name: str):
    value = getattr(settings, name)
    if name == "pin_hash":
        return "(the demo PIN)" if is_demo_pin(settings) else "(set)"
    return str(value) if not isinstance(value, (bool, int)) else value


def cmd_config_show(args) -> int:
    settings = _settings(args)
    rows = [(name, _shown(settings, name), origin_of(name)) for name in SETTING_NAMES]
    if args.data_dir is not None:  # the command line beats every file
        rows = [(n, v, "--data-dir or default" if n == "data_dir" and o == "default" else o) for n, v, o in rows]
    if args.json:
        print_json({name: {"value": value, "from": origin} for name, value, origin in rows})
        return 0
    for name, value, origin in rows:
        print(f"{name} = {value if name == 'pin_hash' else toml_value(value)}")
        print(f"    # {setting_help(name)}; from: {origin}")
    return 0


def cmd_config_path(args) -> int:
    sources = default_sources()
    settings = _settings(args)
    paths = {
        "system config": sources.system_file,
        "user config": sources.user_file,
        "data folder": settings.data_dir,
        "log folder": settings.log_dir,
    }
    if args.json:
        print_json({k: {"path": str(v), "exists": v.exists()} for k, v in paths.items()})
        return 0
    for label, path in paths.items():
        print(f"{label + ':':15} {path}{'' if path.exists() else '  (does not exist yet)'}")
    return 0


def _parse_value(name: str, text: str):
    """A command-line word as the setting's type; the config module checks the rest."""
    current = getattr(Settings(), name, None) if name in SETTING_NAMES else None
    if isinstance(current, bool):
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CliError(f"{name} must be true or false, not {text!r}", EXIT_USAGE)
    if isinstance(current, int) and name != "camera":
        try:
            return int(text)
        except ValueError:
            raise CliError(f"{name} must be a whole number, not {text!r}", EXIT_USAGE) from None
    return text


def cmd_config_set(args) -> int:
    if args.name == "pin_hash":
        raise CliError("set the staff PIN with `kiosk config set-pin`", EXIT_USAGE)
    settings = _settings(args)
    value = _parse_value(args.name, args.value)
    try:
        save_user_settings(settings, {args.name: value})
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    print(f"{args.name} saved in {default_sources().user_file}")
    return 0


def _read_new_pin() -> str:
    if not sys.stdin.isatty():
        # Scripts pipe the PIN in; it is never an argument (that would show in `ps` and shell history).
        return sys.stdin.readline().strip()
    first = getpass.getpass("New staff PIN: ")
    if getpass.getpass("Again: ") != first:
        raise CliError("the two PINs differ; nothing was changed")
    return first


def cmd_config_set_pin(args) -> int:
    settings = _settings(args)
    pin = _read_new_pin()
    if len(pin) < MIN_PIN_LENGTH:
        raise CliError(f"the PIN must have at least {MIN_PIN_LENGTH} characters; nothing was changed", EXIT_USAGE)
    try:
        save_user_settings(settings, {"pin_hash": hash_pin(pin)})
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    print(f"staff PIN changed (stored as a salted hash in {default_sources().user_file})")
    return 0


# ---- registration -----------------------------------------------------------


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser(
        "doctor", help="check this machine: camera, decoder, keyring, replica, server, display, fonts",
        description="Check that this machine is ready for the event. Exit status 0 when nothing failed.",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(handler=cmd_doctor)

    config = subparsers.add_parser("config", help="show or change the settings")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="every setting, its value and where it comes from")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(handler=cmd_config_show)
    path = actions.add_parser("path", help="where the config files, data and logs are")
    path.add_argument("--json", action="store_true", help="print as JSON")
    path.set_defaults(handler=cmd_config_path)
    change = actions.add_parser("set", help="change one setting in the user config file")
    change.add_argument("name", choices=[n for n in SETTING_NAMES if n != "pin_hash"], metavar="NAME")
    change.add_argument("value", metavar="VALUE")
    change.set_defaults(handler=cmd_config_set)
    set_pin = actions.add_parser(
        "set-pin", help="change the staff PIN (asked twice, or read from stdin when piped)"
    )
    set_pin.set_defaults(handler=cmd_config_set_pin)
