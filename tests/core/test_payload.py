import pytest

from kiosk.core.payload import MAX_PAYLOAD_CHARS, clean, parse


def test_plain_code():
    p = parse("  TKT-123  ")
    assert p.code == "TKT-123" and p.problem is None


def test_control_and_format_characters_are_stripped():
    assert clean("TKT\x00-\x1b1\u200b23\r\n") == "TKT-123"


def test_bytes_that_are_not_utf8():
    p = parse(b"\xff\xfeTKT")
    assert p.problem and p.code is None


@pytest.mark.parametrize("raw", ["a b c", "<script>", "x", "../../etc/passwd", "Robert'); DROP TABLE", "é" * 10])
def test_not_a_code(raw):
    p = parse(raw)
    assert p.problem and p.code is None


def test_bounded_length():
    p = parse("A" * (MAX_PAYLOAD_CHARS * 10))
    assert p.problem and len(p.text) <= MAX_PAYLOAD_CHARS
    assert "long" in p.problem


def test_signed_prefix_is_recognised():
    p = parse("CK1.abc.def")
    assert p.signed == "CK1.abc.def" and p.code is None and p.problem is None


def test_display_is_short():
    assert len(parse("B" * 500).display) <= 41
