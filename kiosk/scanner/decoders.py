"""QR decoders behind one small interface.

A :class:`Decoder` takes one BGR (or grayscale) numpy frame and returns the
codes found in it. Two implementations:

- :class:`ZxingDecoder` (zxing-cpp, the default): fast and tolerant of blur,
  tilt and phone screens shown in dark mode;
- :class:`PyzbarDecoder` (pyzbar over the system's libzbar): a second opinion,
  and a fallback where zxing-cpp has no wheel.

Decoders never raise on a frame: an unreadable frame yields no codes. A decoder
that cannot be loaded raises :class:`DecoderUnavailable` with a message saying
what to install.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

DECODER_NAMES = ("zxing", "pyzbar")
DEFAULT_DECODER = "zxing"


class DecoderUnavailable(Exception):
    """The decoder's library is missing; the message says how to get it."""


@dataclass(frozen=True)
class DecodedCode:
    """One code found in a frame."""

    text: str  # the payload as text (undecodable bytes replaced), what the desk scans
    raw: bytes  # the payload's bytes, exactly as encoded
    format: str  # e.g. "QRCode"
    corners: tuple[tuple[int, int], ...] = ()  # the code's corners in the frame (pixels)

    def to_json(self) -> dict:
        return {"text": self.text, "format": self.format, "corners": [list(p) for p in self.corners]}


class Decoder(Protocol):
    name: str

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        """The codes found in a BGR or grayscale frame (empty when none)."""
        ...


def _grayscale(frame: np.ndarray) -> np.ndarray:
    """One 8-bit channel: both libraries binarize luminance, and it halves their work."""
    if frame.ndim == 2:
        return frame
    import cv2

    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _text_of(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


class ZxingDecoder:
    """zxing-cpp, restricted to QR codes (a ticket is a QR code; other formats cost time)."""

    name = "zxing"

    def __init__(self):
        try:
            import zxingcpp
        except ImportError as exc:
            raise DecoderUnavailable(
                "the zxing decoder needs the zxing-cpp package (pip install zxing-cpp)"
            ) from exc
        self._zxing = zxingcpp
        self._formats = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        if frame is None or frame.size == 0:
            return []
        found = self._zxing.read_barcodes(_grayscale(frame), formats=self._formats)
        codes = []
        for barcode in found:
            raw = bytes(barcode.bytes)
            pos = barcode.position
            corners = tuple((p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left))
            codes.append(DecodedCode(_text_of(raw), raw, str(barcode.format).replace(" ", ""), corners))
        return codes


class PyzbarDecoder:
    """ZBar through pyzbar; needs the libzbar shared library (Debian/Ubuntu: libzbar0)."""

    name = "pyzbar"

    def __init__(self):
        try:
            from pyzbar import pyzbar
        except ImportError as exc:  # pyzbar raises ImportError when libzbar cannot be found
            raise DecoderUnavailable(
                "the pyzbar decoder needs the zbar library "
                "(Debian/Ubuntu: apt install libzbar0; macOS: brew install zbar) "
                f"and the pyzbar package ({exc})"
            ) from exc
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, frame: np.ndarray) -> list[DecodedCode]:
        if frame is None or frame.size == 0:
            return []
        gray = np.ascontiguousarray(_grayscale(frame))
        codes = []
        for symbol in self._pyzbar.decode(gray, symbols=self._symbols):
            raw = bytes(symbol.data)
            corners = tuple((int(p.x), int(p.y)) for p in symbol.polygon)
            codes.append(DecodedCode(_text_of(raw), raw, "QRCode", corners))
        return codes


def make_decoder(name: str = DEFAULT_DECODER) -> Decoder:
    """The decoder called ``name`` ('zxing' or 'pyzbar'); DecoderUnavailable if it cannot load."""
    if name == "zxing":
        return ZxingDecoder()
    if name == "pyzbar":
        return PyzbarDecoder()
    raise DecoderUnavailable(f"unknown decoder {name!r}: choose one of {', '.join(DECODER_NAMES)}")
