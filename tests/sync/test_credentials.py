"""The device token: OS keyring when there is one, a private file otherwise, never in a log."""

from __future__ import annotations

import logging
import stat

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from keyring.errors import KeyringError, PasswordDeleteError

from sync.credentials import SERVICE, CredentialStore, usable

TOKEN = "dt_secret-token-value-123"


class MemoryKeyring(KeyringBackend):
    """An OS keyring stand-in: the real ones need a desktop session, which tests do not have."""

    priority = 5

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not there")


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but refuses to store (a locked login keyring)."""

    def set_password(self, service, username, password):
        raise KeyringError("locked")


def test_token_goes_to_the_keyring_and_nowhere_else(tmp_path, caplog):
    backend = MemoryKeyring()
    store = CredentialStore(tmp_path, "dev-1", backend)
    with caplog.at_level(logging.DEBUG):
        store.save(TOKEN)
    assert backend.items == {(SERVICE, "dev-1"): TOKEN}
    assert not store.token_file.exists()
    assert store.load() == TOKEN
    assert "keyring" in store.where.lower()
    assert TOKEN not in caplog.text
    store.delete()
    assert store.load() is None


def test_without_a_keyring_backend_the_token_is_a_private_file(tmp_path, caplog):
    store = CredentialStore(tmp_path, "dev-1", fail.Keyring())
    with caplog.at_level(logging.DEBUG):
        store.save(TOKEN)
        store.save(TOKEN + "-2")  # re-enrolment replaces it; warned only once
    mode = stat.S_IMODE(store.token_file.stat().st_mode)
    assert mode == 0o600
    assert store.load() == TOKEN + "-2"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no usable OS keyring" in warnings[0].getMessage()
    assert TOKEN not in caplog.text
    store.delete()
    assert not store.token_file.exists() and store.load() is None


def test_a_keyring_that_refuses_falls_back_to_the_file(tmp_path, caplog):
    store = CredentialStore(tmp_path, "dev-1", LockedKeyring())
    with caplog.at_level(logging.WARNING):
        store.save(TOKEN)
    assert stat.S_IMODE(store.token_file.stat().st_mode) == 0o600
    assert store.load() == TOKEN
    assert "refused" in caplog.text and TOKEN not in caplog.text


def test_a_token_file_opened_up_by_someone_is_tightened_again(tmp_path, caplog):
    store = CredentialStore(tmp_path, "dev-1", fail.Keyring())
    store.save(TOKEN)
    store.token_file.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        assert store.load() == TOKEN
    assert stat.S_IMODE(store.token_file.stat().st_mode) == 0o600
    assert "readable by others" in caplog.text


def test_moving_to_a_keyring_removes_the_old_token_file(tmp_path):
    CredentialStore(tmp_path, "dev-1", fail.Keyring()).save(TOKEN)
    backend = MemoryKeyring()
    store = CredentialStore(tmp_path, "dev-1", backend)
    assert store.load() == TOKEN  # still found in the file until re-saved
    store.save(TOKEN)
    assert not store.token_file.exists()
    assert store.load() == TOKEN


def test_usable_backends():
    assert not usable(fail.Keyring())
    assert usable(MemoryKeyring())
    empty = chainer.ChainerBackend()
    assert usable(empty) == bool(empty.backends)


def test_an_empty_token_is_refused(tmp_path):
    from sync.credentials import CredentialError

    with pytest.raises(CredentialError):
        CredentialStore(tmp_path, "dev-1", fail.Keyring()).save("")
