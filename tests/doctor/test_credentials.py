"""kiosk.doctor.credentials: where the device token will be kept."""

from __future__ import annotations

from kiosk.doctor import credentials
from kiosk.doctor.report import WARN


def test_keyring_without_backend_explains_the_file_fallback(tmp_path):
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        check = credentials.check_keyring(tmp_path)
    finally:
        keyring.set_keyring(before)
    assert check.status == WARN
    assert str(tmp_path / "device-token") in check.message and "only by this user" in check.message
