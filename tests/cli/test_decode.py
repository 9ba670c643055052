"""kiosk decode (kiosk/cli/decode.py): QR images read by the real decoders."""

from __future__ import annotations

import json

import pytest
import qrcode

from kiosk.cli import main


@pytest.fixture(autouse=True)
def own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "config.toml"))
    (tmp_path / "config.toml").write_text('decoder = "pyzbar"\n', encoding="utf-8")


@pytest.fixture
def ticket(tmp_path):
    path = tmp_path / "ticket.png"
    qrcode.make("ADA-0001").save(path)
    return path


@pytest.mark.parametrize("decoder", ["zxing", "pyzbar"])
def test_decode_prints_the_code(ticket, capsys, decoder):
    assert main(["decode", str(ticket), "--decoder", decoder]) == 0
    assert capsys.readouterr().out == "ADA-0001\n"


def test_decode_json_names_the_decoder_from_the_settings(ticket, capsys):
    assert main(["decode", str(ticket), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decoder"] == "pyzbar"
    assert data["images"][0]["codes"][0]["text"] == "ADA-0001"
    assert len(data["images"][0]["codes"][0]["corners"]) == 4


def test_several_images_and_one_without_a_code(ticket, tmp_path, capsys):
    blank = tmp_path / "blank.png"
    qrcode.make("GRACE-0002").save(tmp_path / "grace.png")
    from PIL import Image

    Image.new("RGB", (200, 200), "white").save(blank)
    assert main(["decode", str(ticket), str(tmp_path / "grace.png"), str(blank)]) == 1
    captured = capsys.readouterr()
    assert f"{ticket}: ADA-0001" in captured.out
    assert "GRACE-0002" in captured.out
    assert captured.err.strip() == f"kiosk: no QR code found in {blank}"


def test_an_unreadable_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_text("hello")
    assert main(["decode", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an image" in err and "Traceback" not in err
