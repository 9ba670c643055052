"""The settings page saves through kiosk.config; the PIN changes only with the current PIN."""

import tomllib

import pytest
from PySide6.QtCore import Qt

from kiosk.app.staff.settings_page import SettingsPage
from kiosk.config import DEMO_PIN, check_pin, load_settings

pytestmark = [pytest.mark.qt_log_level_fail("WARNING"), pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture(autouse=True)
def config_file(tmp_path, monkeypatch):
    # The user file the page saves to: not there until something is saved.
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def page(qtbot, services):
    widget = SettingsPage(services)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_door_camera_decoder_and_sounds_are_saved(qtbot, page, services, tmp_path):
    assert page.door_edit.text() == "Door 1"
    page.door_edit.setText("North entrance")
    page.camera_combo.setCurrentText("1")
    page.decoder_combo.setCurrentText("pyzbar")
    page.sounds_check.setChecked(False)
    with qtbot.waitSignal(page.settings_saved, timeout=15_000) as saved:
        qtbot.mouseClick(page.save_button, Qt.LeftButton)
    settings = saved.args[0]
    saved = (settings.door_name, settings.camera, settings.decoder, settings.sounds)
    assert saved == ("North entrance", 1, "pyzbar", False)
    assert services.settings is settings
    on_disk = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))
    assert on_disk == {"door_name": "North entrance", "camera": 1, "decoder": "pyzbar", "sounds": False}
    assert load_settings().door_name == "North entrance"
    # The next scan is recorded at the new door.
    assert services.desk.scan("ADA-0001").first_checkin.door == "North entrance"


def test_nothing_changed_is_said_and_nothing_written(qtbot, page, tmp_path):
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert "Nothing to save" in page.message_label.text()
    assert not (tmp_path / "config.toml").exists()


def test_an_empty_door_name_is_refused(qtbot, page, tmp_path):
    page.door_edit.setText("  ")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert "needs a name" in page.message_label.text()
    assert not (tmp_path / "config.toml").exists()


def test_the_pin_changes_only_with_the_current_pin(qtbot, page, services):
    page.pin_edits["current"].setText("0000")
    page.pin_edits["new"].setText("2468")
    page.pin_edits["repeat"].setText("2468")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "current PIN is wrong" in page.message_label.text(), timeout=15_000)
    assert check_pin(services.settings.pin_hash, DEMO_PIN)

    page.pin_edits["current"].setText(DEMO_PIN)
    page.pin_edits["new"].setText("2468")
    page.pin_edits["repeat"].setText("2469")
    qtbot.mouseClick(page.save_button, Qt.LeftButton)
    assert "differ" in page.message_label.text()

    page.pin_edits["repeat"].setText("2468")
    with qtbot.waitSignal(page.settings_saved, timeout=15_000):
        qtbot.keyClick(page.pin_edits["repeat"], Qt.Key_Return)
    assert check_pin(services.settings.pin_hash, "2468")
    assert not check_pin(services.settings.pin_hash, DEMO_PIN)
    assert check_pin(load_settings().pin_hash, "2468")
    assert all(edit.text() == "" for edit in page.pin_edits.values())  # no PIN left on screen


def test_what_a_desk_scan_does_and_the_scanner_prefix_are_saved(qtbot, page, services, tmp_path):
    assert not page.desk_scan_check.isChecked()  # the default: a scan at the desk looks the guest up
    page.desk_scan_check.setChecked(True)
    page.scanner_prefix_edit.setText("~")
    with qtbot.waitSignal(page.settings_saved, timeout=15_000) as saved:
        qtbot.mouseClick(page.save_button, Qt.LeftButton)
    settings = saved.args[0]
    assert (settings.desk_scan_checks_in, settings.scanner_prefix, settings.scanner_suffix) == (True, "~", "")
    on_disk = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))
    assert on_disk == {"desk_scan_checks_in": True, "scanner_prefix": "~"}
