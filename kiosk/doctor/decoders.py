"""The QR decoders: each reads a generated QR code through the app's own code path."""

from __future__ import annotations

import sys

from kiosk.doctor.report import FAIL, OK, WARN, Check, brief

SAMPLE_CODE = "CHECKIN-KIOSK-DOCTOR-0001"


def _sample_frame():
    import numpy as np
    import qrcode

    return np.asarray(qrcode.make(SAMPLE_CODE).get_image().convert("L"))


def _library_of(name: str) -> str:
    if name != "pyzbar":
        return "zxing-cpp"
    from pyzbar import pyzbar

    names = [getattr(dep, "_name", "") for dep in getattr(pyzbar, "EXTERNAL_DEPENDENCIES", [])]
    return f"pyzbar with {names[0]}" if names and names[0] else "pyzbar"


_DECODER_FIX = {
    "linux": "install libzbar (Debian/Ubuntu: sudo apt install libzbar0), or use decoder = \"zxing\"",
    "darwin": "install zbar (brew install zbar), or use decoder = \"zxing\"",
    "win32": "install the Visual C++ 2013 redistributable (pyzbar's DLLs need it), or use decoder = \"zxing\"",
}


def check_decoder(name: str, configured: str) -> Check:
    """Decode a generated QR code through the app's own decoder (same code path as a scan)."""
    from kiosk.scanner.decoders import DecoderUnavailable, make_decoder

    label = f"decoder {name}" + (" (in use)" if name == configured else " (not in use)")
    # A decoder the settings do not use cannot stop the event: warn, never fail, for it.
    bad = FAIL if name == configured else WARN
    try:
        frame = _sample_frame()
    except Exception as exc:
        return Check(label, FAIL, f"cannot make a test QR code ({brief(exc)})", "reinstall the app (qrcode, Pillow)")
    try:
        texts = [code.text for code in make_decoder(name).decode(frame)]
        library = _library_of(name)
    except DecoderUnavailable as exc:
        if name == "pyzbar":
            fix = _DECODER_FIX.get(sys.platform, _DECODER_FIX["linux"])
        else:
            fix = "reinstall the app (zxing-cpp)"
        return Check(label, bad, f"cannot be loaded: {brief(exc)}", fix)
    except Exception as exc:
        return Check(label, bad, f"failed on a test QR code ({type(exc).__name__}: {brief(exc)})", "reinstall the app")
    if texts != [SAMPLE_CODE]:
        return Check(label, bad, f"read {texts!r} from a test QR code holding {SAMPLE_CODE!r}", "reinstall the app")
    return Check(label, OK, f"{library} reads a generated QR code correctly")
