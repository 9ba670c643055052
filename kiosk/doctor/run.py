"""Every check, in order; a check that breaks is itself reported as a failure."""

from __future__ import annotations

from typing import Callable

from kiosk.config import DECODERS, ConfigSources, Settings, default_sources
from kiosk.doctor.camera import check_camera
from kiosk.doctor.credentials import check_keyring
from kiosk.doctor.decoders import check_decoder
from kiosk.doctor.display import check_display
from kiosk.doctor.folders import check_folder, check_settings
from kiosk.doctor.fonts import check_cjk_fonts
from kiosk.doctor.replica import check_replica, enrolled_state
from kiosk.doctor.report import FAIL, Check, brief
from kiosk.doctor.server import check_enrollment, check_server


def run_checks(
    settings: Settings,
    *,
    sources: ConfigSources | None = None,
    config_problem: str | None = None,
) -> list[Check]:
    """Every check, in the order a person fixing the machine would go through them."""
    sources = sources or default_sources()
    enrolled = enrolled_state(settings.data_dir)
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("settings", lambda: check_settings(settings, sources, config_problem)),
        ("data folder", lambda: check_folder("data folder", settings.data_dir)),
        ("log folder", lambda: check_folder("log folder", settings.log_dir)),
        ("camera", lambda: check_camera(settings.camera)),
        *[(f"decoder {d}", lambda d=d: check_decoder(d, settings.decoder)) for d in DECODERS],
        ("keyring", lambda: check_keyring(settings.data_dir)),
        ("replica", lambda: check_replica(settings.data_dir)),
        # The server the kiosk is enrolled with, else the one configured for enrolling.
        ("server", lambda: check_server(enrolled.get("server") or settings.server_url)),
        ("enrollment", lambda: check_enrollment(settings.data_dir, state=enrolled)),
        ("display", check_display),
        ("fonts", check_cjk_fonts),
    ]
    checks: list[Check] = []
    for name, step in steps:
        try:
            result = step()
        except Exception as exc:  # a broken check must not hide the others
            result = Check(name, FAIL, f"the check itself failed ({type(exc).__name__}: {brief(exc)})",
                           "see the log file")
        checks.extend(result if isinstance(result, list) else [result])
    return checks
