"""Where the device token will be kept: the OS keyring, or a file readable only by this user."""

from __future__ import annotations

from pathlib import Path

from kiosk.doctor.report import FAIL, OK, WARN, Check, brief


def check_keyring(data_dir: Path) -> Check:
    try:
        import keyring

        from sync.credentials import TOKEN_FILENAME, usable

        backend = keyring.get_keyring()
    except Exception as exc:
        return Check("keyring", FAIL, f"the keyring library cannot start ({type(exc).__name__}: {brief(exc)})",
                     "reinstall the app")
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if usable(backend):
        return Check("keyring", OK, f"the device token goes to the OS keyring ({name})")
    return Check(
        "keyring", WARN,
        f"no usable OS keyring ({name}): the device token will be kept in "
        f"{Path(data_dir) / TOKEN_FILENAME}, readable only by this user",
        "for the OS keyring, run inside a desktop session with GNOME Keyring or KWallet unlocked "
        "(Linux), or log in normally (Windows, macOS); the file works, but is less protected",
    )
