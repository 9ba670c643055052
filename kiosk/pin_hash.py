"""The staff PIN, kept only as a salted scrypt hash (never in clear, in any file)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# The demo PIN: good for a demonstration only. `kiosk doctor` warns while it is still set;
# change it with `kiosk config set-pin` or in the staff desk's settings.
DEMO_PIN = "1234"
# hash_pin(DEMO_PIN) with a fixed salt, so that the default is a constant.
DEMO_PIN_HASH = (
    "scrypt$16384$8$1$Y2hlY2tpbi1raW9zay1kZW1v$"
    "idCsQb_Dnu5uaNPSMIi3QCYTfdSvrm0WN6eGIVUbn2g"
)

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1  # ~16 MB and a few tens of ms per check


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of ``pin``: ``scrypt$N$r$p$salt$hash`` (base64url)."""
    if not pin:
        raise ValueError("the PIN must not be empty")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse_pin_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    # Bounds keep a hand-edited file from asking for gigabytes of memory.
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest


def is_pin_hash(stored: str) -> bool:
    return _parse_pin_hash(stored) is not None


def check_pin(stored_hash: str, pin: str) -> bool:
    """Whether ``pin`` matches ``stored_hash`` (constant-time; a malformed hash matches nothing)."""
    parsed = _parse_pin_hash(stored_hash)
    if parsed is None or not pin:
        return False
    n, r, p, salt, digest = parsed
    candidate = hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=256 * 1024 * 1024
    )
    return hmac.compare_digest(candidate, digest)
