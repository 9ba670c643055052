"""kiosk.doctor.decoders: a generated QR code through each decoder."""

from __future__ import annotations

from kiosk.doctor import decoders
from kiosk.doctor.report import OK, WARN, Check


def test_zxing_round_trip():
    check = decoders.check_decoder("zxing", configured="zxing")
    assert check == Check("decoder zxing (in use)", OK, "zxing-cpp reads a generated QR code correctly")


def test_pyzbar_round_trip_or_plain_words():
    check = decoders.check_decoder("pyzbar", configured="zxing")
    assert check.name == "decoder pyzbar (not in use)"
    # Unused, so never a failure; where libzbar exists it must actually decode.
    assert check.status in (OK, WARN)
    if check.status == OK:
        assert "libzbar" in check.message or "pyzbar" in check.message
    else:
        assert "zbar" in check.fix
