"""Turning a scanned payload (hostile input) into something the rules can look up.

Whatever arrives from a camera, a keyboard-wedge scanner or a command line is
bounded, stripped of control characters and parsed strictly; nothing here
raises on bad input, it returns a :class:`ScannedPayload` whose ``problem`` says
what was wrong.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_PAYLOAD_CHARS = 2048  # a QR code holds at most ~4,000 characters; tickets are far shorter
MAX_CODE_CHARS = 128
SIGNED_PREFIX = "CK1."  # see sync.tickets: CK1.<payload>.<signature>
from sync.roster_csv import CODE_PATTERN  # noqa: E402 -- one code rule, shared with roster import


@dataclass(frozen=True)
class ScannedPayload:
    text: str  # the cleaned payload
    code: str | None  # the opaque ticket code, when it is one
    signed: str | None  # the whole signed-ticket string, when it is one
    problem: str | None  # why it is malformed, else None

    @property
    def display(self) -> str:
        """A short, safe rendering for messages and logs."""
        shown = self.text[:40]
        return shown + ("…" if len(self.text) > 40 else "")


def clean(raw: str | bytes | None) -> str:
    """Decode, drop control and format characters, normalise, trim; never raises."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw[: MAX_PAYLOAD_CHARS * 4].decode("utf-8", errors="replace")
    raw = raw[: MAX_PAYLOAD_CHARS * 2]
    kept = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    return unicodedata.normalize("NFC", kept).strip()


def parse(raw: str | bytes | None) -> ScannedPayload:
    text = clean(raw)
    if not text:
        return ScannedPayload("", None, None, "The code was empty.")
    if len(text) > MAX_PAYLOAD_CHARS:
        return ScannedPayload(text[:MAX_PAYLOAD_CHARS], None, None, "The code is far too long to be a ticket.")
    if text.startswith(SIGNED_PREFIX):
        return ScannedPayload(text, None, text, None)
    if "\ufffd" in text:
        return ScannedPayload(text, None, None, "The code contains unreadable bytes.")
    if len(text) > MAX_CODE_CHARS or not CODE_PATTERN.fullmatch(text):
        return ScannedPayload(text, None, None, "This is not a ticket code.")
    return ScannedPayload(text, text, None, None)
