"""The settings files, the staff PIN, and the data and log folders."""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config import DEMO_PIN, ConfigSources, Settings, is_demo_pin
from kiosk.doctor.report import FAIL, OK, WARN, Check


def check_settings(
    settings: Settings, sources: ConfigSources, config_problem: str | None = None
) -> list[Check]:
    checks = []
    if config_problem:
        checks.append(
            Check(
                "settings", FAIL, config_problem,
                "edit the file named above (`kiosk config path` lists the files); "
                "the other checks below used the default settings",
            )
        )
    else:
        files = [p for p in (sources.system_file, sources.user_file) if p is not None and p.exists()]
        read = ", ".join(str(p) for p in files) if files else "none (all defaults)"
        checks.append(Check("settings", OK, f"files read: {read}"))
    if is_demo_pin(settings):
        checks.append(
            Check(
                "staff PIN", WARN if not settings.kiosk_mode else FAIL,
                f"the staff PIN is still the demo PIN {DEMO_PIN}"
                + (" while kiosk mode is on: anyone can leave the kiosk screen" if settings.kiosk_mode else ""),
                "set a real PIN with `kiosk config set-pin`",
            )
        )
    else:
        checks.append(Check("staff PIN", OK, "a staff PIN of your own is set"))
    return checks


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_folder(label: str, folder: Path) -> Check:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        return Check(label, FAIL, f"{folder} is a file, not a folder", f"move the file away or choose another {label}")
    base = _nearest_existing(folder)
    if not os.access(base, os.W_OK | os.X_OK):
        return Check(
            label, FAIL, f"{folder} cannot be written by this user",
            f"give this user write access to {base}, or choose another folder",
        )
    state = "exists" if folder.exists() else "will be created on first use"
    return Check(label, OK, f"{folder} ({state}, writable)")
