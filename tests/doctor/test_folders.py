"""kiosk.doctor.folders: the settings files, the staff PIN, the data and log folders."""

from __future__ import annotations

from kiosk.config import Settings, hash_pin
from kiosk.doctor import folders
from kiosk.doctor.report import FAIL, OK, WARN, Check


def test_demo_pin_warns_and_fails_in_kiosk_mode(sources):
    statuses = {c.name: c.status for c in folders.check_settings(Settings(), sources)}
    assert statuses == {"settings": OK, "staff PIN": WARN}
    locked = {c.name: c for c in folders.check_settings(Settings(kiosk_mode=True), sources)}
    assert locked["staff PIN"].status == FAIL
    assert "set-pin" in locked["staff PIN"].fix
    own = {c.name: c.status for c in folders.check_settings(Settings(pin_hash=hash_pin("8642")), sources)}
    assert own["staff PIN"] == OK


def test_config_problem_is_reported_first(sources):
    checks = folders.check_settings(Settings(), sources, "x.toml: unknown setting 'doorname'")
    assert checks[0] == Check(checks[0].name, FAIL, "x.toml: unknown setting 'doorname'", checks[0].fix)


def test_folder_checks(tmp_path):
    assert folders.check_folder("data folder", tmp_path / "new" / "deeper").status == OK
    afile = tmp_path / "afile"
    afile.write_text("")
    check = folders.check_folder("data folder", afile)
    assert check.status == FAIL and "is a file" in check.message
