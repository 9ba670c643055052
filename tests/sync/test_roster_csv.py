"""Reading roster CSVs: every rule, on real bytes and real files."""

from __future__ import annotations

import pytest

from sync import roster_csv
from sync.roster_csv import RosterFileError, RowError, parse_roster

HEADER = "first_name,last_name,email,ticket_code"


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join((header, *lines)) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def reasons_by_line(result) -> dict[int, str]:
    return {error.line: error.reason for error in result.errors}


def test_good_rows_are_cleaned_and_defaulted():
    result = parse_roster(csv_bytes("  Ada , Lovelace ,  ADA@Example.ORG ,T-0001", "Zoë,Ørsted,,T-0002"))
    assert result.errors == []
    ada, zoe = result.rows
    assert (ada.line, ada.first_name, ada.last_name, ada.email, ada.ticket_code) == (
        2, "Ada", "Lovelace", "ada@example.org", "T-0001")
    assert (ada.status, ada.ticket_type, ada.plus_ones) == ("confirmed", "General", 0)
    assert zoe.email is None and zoe.first_name == "Zoë"
    assert result.columns == frozenset()


def test_reads_a_file_path(tmp_path):
    path = tmp_path / "guests.csv"
    path.write_bytes(csv_bytes("Ada,Lovelace,ada@example.org,T-0001"))
    assert [row.ticket_code for row in parse_roster(path).rows] == ["T-0001"]


def test_header_is_case_and_space_insensitive_with_optional_and_unknown_columns():
    header = " Ticket_Code ,FIRST_NAME,Last_Name,Email, Status ,notes,Plus_Ones,ticket_type"
    result = parse_roster(csv_bytes("ABC-1,Ada,Lovelace,ada@example.org,Waitlisted,VIP guest,2,Speaker", header=header))
    assert result.errors == []
    row = result.rows[0]
    assert (row.ticket_code, row.first_name, row.status, row.plus_ones, row.ticket_type) == (
        "ABC-1", "Ada", "waitlisted", 2, "Speaker")
    assert result.columns == {"status", "plus_ones", "ticket_type"}


def test_bom_is_accepted():
    result = parse_roster(csv_bytes("José,Núñez,jose@example.org,T-0001", bom=True))
    assert result.errors == [] and result.rows[0].first_name == "José"


def test_semicolon_delimiter_is_sniffed_from_the_header():
    data = csv_bytes("Ada;Lovelace, Countess;ada@example.org;T-0001", header=HEADER.replace(",", ";"))
    result = parse_roster(data)
    assert result.delimiter == ";"
    assert result.rows[0].last_name == "Lovelace, Countess"


def test_crlf_and_quoted_fields():
    data = (HEADER + '\r\n"Lovelace, Ada",Byron,ada@example.org,T-0001\r\n').encode()
    assert parse_roster(data).rows[0].first_name == "Lovelace, Ada"


def test_each_bad_row_is_reported_with_its_line_and_reason():
    data = csv_bytes(
        "Ada,Lovelace,ada@example.org,T-0001",  # line 2 fine
        ",Nobody,nobody@example.org,T-0002",  # 3 missing first name
        "Bob,Builder,not-an-email,T-0003",  # 4 invalid email
        "Cy,Young,cy@example.org,T-0004,maybe",  # 5 status column absent: ignored extra cell
        "Di,Prince,di@example.org,x",  # 6 code too short
        "Ed,Wood,ed@example.org,T-0001",  # 7 duplicate code
        "Fay,Wray,ADA@example.org,T-0007",  # 8 Ada's email: a family shares one, fine
        "Gus,Grissom,gus@example.org,",  # 9 missing code
        "Hal,Nine,hal@example.org,-BAD",  # 10 code must start with a letter or digit
    )
    result = parse_roster(data)
    reasons = reasons_by_line(result)
    assert sorted(reasons) == [3, 4, 6, 7, 9, 10]
    assert reasons[3] == "missing first name"
    assert "invalid email" in reasons[4]
    assert "ticket code 'x' is invalid" in reasons[6]
    assert reasons[7] == "ticket code T-0001 is already used on line 2"
    assert reasons[9] == "missing ticket code"
    assert "is invalid" in reasons[10]
    assert [row.ticket_code for row in result.rows] == ["T-0001", "T-0004", "T-0007"]


def test_status_and_plus_ones_rules():
    header = HEADER + ",status,plus_ones"
    result = parse_roster(csv_bytes(
        "A,A,a@example.org,T-0001,Cancelled,0",
        "B,B,b@example.org,T-0002,maybe,1",
        "C,C,c@example.org,T-0003,,-1",
        "D,D,d@example.org,T-0004,,51",
        "E,E,e@example.org,T-0005,,2.0",
        "F,F,f@example.org,T-0006,,50",
        "G,G,g@example.org,T-0007,,",
        header=header,
    ))
    reasons = reasons_by_line(result)
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "bad status 'maybe'" in reasons[3]
    assert all("plus_ones" in reasons[line] for line in (4, 5, 6))
    assert [(r.status, r.plus_ones) for r in result.rows] == [("cancelled", 0), ("confirmed", 50), ("confirmed", 0)]


def test_all_problems_of_a_row_are_listed():
    result = parse_roster(csv_bytes(",x,bad,T 1"))
    (error,) = result.errors
    assert error.line == 2
    assert "missing first name" in error.reason and "invalid email" in error.reason and "ticket code" in error.reason


def test_fields_too_long():
    result = parse_roster(csv_bytes("A" * 101 + ",B,a@example.org,T-0001", "A,B,a@example.org,T" + "1" * 128))
    reasons = reasons_by_line(result)
    assert reasons[2] == "first_name is longer than 100 characters"
    assert reasons[3] == "ticket_code is longer than 128 characters"


def test_control_characters_are_stripped():
    result = parse_roster(csv_bytes("A\x07da\u200b,Love\tlace,ada@example.org,T-\x1b0001"))
    row = result.rows[0]
    assert (row.first_name, row.last_name, row.ticket_code) == ("Ada", "Love lace", "T-0001")


def test_line_numbers_count_blank_lines_and_multiline_records():
    data = (HEADER + '\n\n"Ada",Lovelace,ada@example.org,T-0001\n'
            '"Bob","Two\nLines",bob@example.org,T-0002\n,,,\nCy,Young,bad,T-0003\n').encode()
    result = parse_roster(data)
    reasons = reasons_by_line(result)
    assert [row.line for row in result.rows] == [3]
    assert "line break" in reasons[4]
    assert "invalid email" in reasons[7]


def test_blank_lines_before_header_are_skipped():
    result = parse_roster(b"\n\n" + csv_bytes("Ada,Lovelace,ada@example.org,T-0001"))
    assert result.rows[0].line == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (HEADER.encode() + b"\n", "no attendee rows"),
        ("first_name,email\nAda,ada@example.org\n".encode(), "lacks the columns last_name, ticket_code"),
        (b"name,phone\nAda,123\n", "not a roster header"),
        ("first_name,last_name,email,ticket_code\nJos\xe9,N,j@example.org,T-0001\n".encode("latin-1"),
         "not UTF-8 text (byte 0xe9 on line 2)"),
        ("first_name,last_name,email,ticket_code\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ((HEADER + ",email\n").encode(), "column email twice"),
    ],
)
def test_whole_file_problems_raise_a_clear_error(data, message):
    with pytest.raises(RosterFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_roster(data)


def test_missing_or_unreadable_path(tmp_path):
    with pytest.raises(RosterFileError, match="^The file does not exist.$"):
        parse_roster(tmp_path / "nope.csv")
    with pytest.raises(RosterFileError, match="folder, not a file"):
        parse_roster(tmp_path)


def test_row_and_size_bounds(monkeypatch):
    # Lower the bounds rather than write 100 MB: the code path is the same.
    monkeypatch.setattr(roster_csv, "MAX_ROWS", 3)
    rows = [f"P{i},Q,p{i}@example.org,T-{i:04d}" for i in range(4)]
    assert len(parse_roster(csv_bytes(*rows[:3])).rows) == 3
    with pytest.raises(RosterFileError, match="more than 3 attendee rows"):
        parse_roster(csv_bytes(*rows))
    monkeypatch.setattr(roster_csv, "MAX_FILE_BYTES", 100)
    with pytest.raises(RosterFileError, match="at most 0 MB"):
        parse_roster(csv_bytes(*rows))


def test_file_size_bound_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(roster_csv, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(*[f"P{i},Q,p{i}@example.org,T-{i:06d}" for i in range(40_000)]))
    with pytest.raises(RosterFileError, match="a roster may be at most 1 MB"):
        parse_roster(path)


def test_row_error_reads_well():
    assert str(RowError(7, "missing first name")) == "line 7: missing first name"


def test_code_rule_is_shared_with_the_scanner():
    from kiosk.core import payload

    assert payload.CODE_PATTERN is roster_csv.CODE_PATTERN


def test_sync_module_does_not_import_kiosk():
    import subprocess
    import sys

    code = "import sys, sync.roster_csv; print(any(m == 'kiosk' or m.startswith('kiosk.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ---- export -> import round trip -------------------------------------------------------------

AWKWARD_PARTS = ["=", "+", "-", "@", "'", "''", "\t", "\r", " ", '"', ",", ";", "=1+1", "+Bo", "-", "@SUM(A1)",
                 "é", "Ünïcødé", "漢字", "O'Brien", 'say "hi"', "a,b", "a;b", "x"]


def awkward_values(count: int, seed: int = 11) -> list[str]:
    """Names built of the parts that trip spreadsheets and CSV readers, in every order."""
    import random

    rng = random.Random(seed)
    values = list(AWKWARD_PARTS) + ["'=1", "''=1", "'+Bo", "'", "''", "' x", "'Ohana"]
    while len(values) < count:
        values.append("".join(rng.choice(AWKWARD_PARTS) for _ in range(rng.randint(1, 4))))
    return values


def held(value: str) -> str | None:
    """What a kiosk holds after importing ``value`` as a name (its cleaning applied), or None if refused."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([["first_name", "last_name", "email", "ticket_code"], ["A", value, "", "T-0001"]])
    parsed = parse_roster(out.getvalue().encode("utf-8"))
    return parsed.rows[0].last_name if parsed.rows else None


def awkward_email(value: str, n: int) -> str | None:
    """An e-mail address beginning with the value, when the value can begin one."""
    local = value.lower().replace("@", "")
    return f"{local}.{n}@example.org" if local and not any(ch.isspace() for ch in local) else None


def test_export_then_import_gives_back_every_value_a_kiosk_holds(tmp_path):
    from types import SimpleNamespace

    from sync.export_csv import ATTENDEE_COLUMNS, FORMULA_STARTS, attendee_row, write_csv

    values = [value for value in map(held, awkward_values(400)) if value]
    assert {"-", "+Bo", "'", "'=1", "=1+1", "@SUM(A1)", "O'Brien", "漢字"} <= set(values)
    attendees = [
        SimpleNamespace(first_name=value, last_name=value, email=awkward_email(value, n), ticket_code=f"T-{n:04d}",
                        ticket_type=value[:64], status="confirmed", plus_ones=0, is_walkin=False, arrival_id=None,
                        inside=False)
        for n, value in enumerate(values)
    ]
    path = tmp_path / "attendees.csv"
    write_csv(path, ATTENDEE_COLUMNS, [attendee_row(a, None, None, None) for a in attendees])
    exported = path.read_text(encoding="utf-8-sig")
    # Still safe to open in a spreadsheet: no cell starts a formula.
    import csv
    import io

    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)

    parsed = parse_roster(path)
    assert parsed.errors == []
    got = [(row.first_name, row.last_name, row.email, row.ticket_type) for row in parsed.rows]
    assert got == [(a.first_name, a.last_name, a.email, a.ticket_type) for a in attendees]


def test_a_leading_apostrophe_that_guards_nothing_is_kept():
    result = parse_roster(csv_bytes("'Ohana,'Brien,,T-0001", "'=1,''+x,,T-0002", "',' x,,T-0003"))
    assert [(r.first_name, r.last_name) for r in result.rows] == [("'Ohana", "'Brien"), ("=1", "'+x"), ("'", "x")]


def test_a_kiosks_attendee_export_imports_again_unchanged(tmp_path):
    """`kiosk export attendees` then `kiosk import-roster` of that file, into another kiosk's replica."""
    import csv
    import io

    from kiosk.core.roster import export_attendees, import_roster
    from sync.export_csv import spreadsheet_safe
    from sync.replica import open_replica
    from sync.replica.models import Attendee

    names = [("-", "+Bo"), ("'Ohana", "''"), ("=1+1", "@SUM(A1)"), ("Zoë", "'-x"), ("漢字", 'say "hi", ok;')]
    out = io.StringIO()
    csv.writer(out).writerows([("first_name", "last_name", "email", "ticket_code")] + [
        (spreadsheet_safe(first), spreadsheet_safe(last), "", f"T-{n:04d}") for n, (first, last) in enumerate(names)])
    roster = out.getvalue()
    source, copy = open_replica(tmp_path / "one"), open_replica(tmp_path / "two")
    try:
        import_roster(source, roster.encode("utf-8"))
        export_attendees(source, tmp_path / "attendees.csv")
        import_roster(copy, tmp_path / "attendees.csv")
        for replica in (source, copy):
            with replica.session(write=False) as s:
                got = {(a.first_name, a.last_name) for a in s.query(Attendee)}
            assert got == set(names)
    finally:
        source.close()
        copy.close()
