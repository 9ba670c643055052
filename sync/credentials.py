"""Where the device token lives: the OS keyring, or a private file when there is none.

The token is the kiosk's only secret. It goes to the OS keyring (Secret
Service, macOS Keychain, Windows Credential Locker) through ``keyring``. A
headless machine often has no usable keyring backend (``keyring.backends.fail``,
or a chainer with nothing to chain); there the token is kept in a file that
only the current user can read (mode 0600) in the data folder, and a warning
says so once. The token itself is never printed or logged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

log = logging.getLogger(__name__)

SERVICE = "checkin-kiosk"
TOKEN_FILENAME = "device-token"


class CredentialError(Exception):
    """The token cannot be stored or read (the environment's fault)."""


def usable(backend: KeyringBackend) -> bool:
    """Whether a keyring backend can actually hold a secret.

    ``fail.Keyring`` has priority 0 and raises on every call; a chainer with no
    backends behind it would silently store nothing.
    """
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    try:
        return backend.priority > 0
    except Exception:  # some backends compute priority by probing and raise when unavailable
        return False


class CredentialStore:
    """The device token of one replica, keyed by its device id.

    ``backend`` is the keyring to use (default: the one ``keyring`` picks for
    this platform); tests pass a backend in rather than patching the module.
    """

    def __init__(self, data_dir: Path | str, device_id: str, backend: KeyringBackend | None = None):
        self.data_dir = Path(data_dir)
        self.device_id = device_id
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._warned = False

    @property
    def token_file(self) -> Path:
        return self.data_dir / TOKEN_FILENAME

    @property
    def in_keyring(self) -> bool:
        return usable(self._backend)

    @property
    def where(self) -> str:
        """Where the token is kept, for status output (never the token)."""
        return f"OS keyring ({type(self._backend).__name__})" if self.in_keyring else f"file {self.token_file}"

    def save(self, token: str) -> None:
        if not token or not isinstance(token, str):
            raise CredentialError("refusing to store an empty device token")
        if self.in_keyring:
            try:
                self._backend.set_password(SERVICE, self.device_id, token)
                self._remove_file()  # a token from an earlier fallback must not linger
                return
            except KeyringError as exc:
                self._warn_fallback(f"the OS keyring refused the token ({type(exc).__name__})")
        else:
            self._warn_fallback("no usable OS keyring backend")
        self._write_file(token)

    def load(self) -> str | None:
        if self.in_keyring:
            try:
                token = self._backend.get_password(SERVICE, self.device_id)
            except KeyringError as exc:
                log.warning("the OS keyring could not be read (%s); trying the token file", type(exc).__name__)
                token = None
            if token:
                return token
        return self._read_file()

    def delete(self) -> None:
        if self.in_keyring:
            try:
                self._backend.delete_password(SERVICE, self.device_id)
            except KeyringError:
                pass  # nothing stored there (PasswordDeleteError) or keyring gone: the file may still hold it
        self._remove_file()

    # ---- the fallback file -------------------------------------------------

    def _warn_fallback(self, why: str) -> None:
        if not self._warned:
            log.warning(
                "%s: keeping the device token in %s, readable only by this user", why, self.token_file
            )
            self._warned = True

    def _write_file(self, token: str) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.token_file.with_suffix(".tmp")
            # O_EXCL on a fresh name: the file is never readable by others, not even for an instant.
            if tmp.exists():
                tmp.unlink()
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(token)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)  # umask may only remove bits, but be explicit
            os.replace(tmp, self.token_file)
        except OSError as exc:
            raise CredentialError(f"cannot store the device token in {self.token_file}: {exc.strerror}") from exc

    def _read_file(self) -> str | None:
        try:
            mode = self.token_file.stat().st_mode & 0o777
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialError(f"cannot read {self.token_file}: {exc.strerror}") from exc
        if mode & 0o077:
            # Someone widened the permissions: tighten them back rather than refuse to work.
            log.warning("%s was readable by others (mode %o); restricting it to this user", self.token_file, mode)
            try:
                os.chmod(self.token_file, 0o600)
            except OSError as exc:
                raise CredentialError(f"cannot restrict {self.token_file}: {exc.strerror}") from exc
        try:
            token = self.token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise CredentialError(f"cannot read the device token from {self.token_file}") from exc
        return token or None

    def _remove_file(self) -> None:
        try:
            self.token_file.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not remove the old token file %s: %s", self.token_file, exc.strerror)
