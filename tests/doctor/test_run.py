"""kiosk.doctor as a whole: every area checked, the report, the exit status, the names others import."""

from __future__ import annotations

from kiosk import doctor
from kiosk.config import Settings
from tests.doctor.conftest import qr_png


def test_run_checks_reports_every_area_and_the_exit_status(tmp_path, sources, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    qr_png(tmp_path / "frames" / "a.png")
    settings = Settings(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", camera=str(tmp_path / "frames"))
    checks = doctor.run_checks(settings, sources=sources)
    names = [c.name for c in checks]
    for expected in ("settings", "staff PIN", "data folder", "log folder", "camera", "keyring", "replica", "server",
                     "display", "fonts"):
        assert expected in names
    assert any(n.startswith("decoder zxing") for n in names)
    assert doctor.exit_status(checks) == 0
    assert doctor.format_report(checks).splitlines()[-1].startswith("ready: 0 failed")
    broken = doctor.run_checks(
        Settings(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", camera=str(tmp_path / "none")),
        sources=sources,
    )
    assert doctor.exit_status(broken) == 1
    assert "NOT ready" in doctor.format_report(broken)


def test_the_package_keeps_the_names_others_import():
    for name in ("run_checks", "exit_status", "format_report", "Check", "OK", "WARN", "FAIL", "check_replica",
                 "check_enrollment", "enrolled_state", "check_display", "check_camera", "check_decoder"):
        assert hasattr(doctor, name), name
