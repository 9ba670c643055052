"""Rosters exported by other systems: a column mapping, and presets detected from the header.

The two fixtures in tests/sync/roster_exports are written from the documented columns of
pretix's check-in list CSV export and of Eventbrite's attendee report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.roster_csv import RosterFileError, parse_roster
from sync.roster_mapping import EVENTBRITE, PRETIX, parse_map, preset

EXPORTS = Path(__file__).parent / "roster_exports"
PRETIX_FILE = EXPORTS / "pretix_checkin_list.csv"
EVENTBRITE_FILE = EXPORTS / "eventbrite_attendees.csv"


def people(parsed) -> list[tuple]:
    return [(r.first_name, r.last_name, r.email, r.ticket_code, r.ticket_type, r.status) for r in parsed.rows]


def test_a_pretix_check_in_list_is_read_by_its_preset_detected_from_the_header():
    detected = parse_roster(PRETIX_FILE)
    assert detected.errors == []
    assert people(detected) == [
        ("Jürgen", "Thüringer", "juergen@example.org", "m7x2k9qvy4tdhg8abnxu5ye3s6wz2rcp", "Conference ticket",
         "confirmed"),
        ("Anna", "Thüringer", "juergen@example.org", "q8c4npd2w9zx7ktr3ma6yvh5ue2bsfjg", "Conference ticket",
         "confirmed"),  # one e-mail for the family's two tickets
        ("Ola", "Nordmann", "ola@example.no", "t4ev9xw2kqm7ycr5bzn3hs8pua6dgfj2", "Workshop", "confirmed"),
    ]
    assert people(parse_roster(PRETIX_FILE, PRETIX)) == people(detected)


def test_a_pretix_export_with_one_name_field_and_semicolons():
    data = ("Order code;Attendee name;Product;Price;Checked in;Checked out;Automatically checked in;Secret;E-mail\n"
            "Z3KQP;Zoë Bürin;Day pass;10.00;;;No;abcdef123;zoe@example.org\n").encode()
    assert people(parse_roster(data)) == [("Zoë Bürin", "", "zoe@example.org", "abcdef123", "Day pass", "confirmed")]


def test_an_eventbrite_attendee_report_is_read_by_its_preset_detected_from_the_header():
    detected = parse_roster(EVENTBRITE_FILE)
    assert detected.errors == []
    assert people(detected) == [
        ("Grace", "Hopper", "grace@example.org", "552109334108873421001", "General Admission", "confirmed"),
        ("Alan", "Turing", "alan@example.org", "552109334208873421001", "VIP", "confirmed"),
        ("Ada", "Lovelace", "ada@example.org", "552109334308873421001", "General Admission", "cancelled"),
    ]
    assert people(parse_roster(EVENTBRITE_FILE, preset("eventbrite"))) == people(detected)
    assert preset("eventbrite") is EVENTBRITE


def test_a_column_mapping_names_any_header():
    data = b"Barcode #,First Name,Surname,Mail,Kind\nBC-0001,Ada,Lovelace,ADA@example.org,VIP\n"
    mapping = parse_map("Barcode #=ticket_code, First Name=first_name,Surname=last_name,Mail=email,kind=ticket_type")
    assert people(parse_roster(data, mapping)) == [("Ada", "Lovelace", "ada@example.org", "BC-0001", "VIP",
                                                    "confirmed")]
    # A field the mapping leaves out is read from its own column.
    data = b"Barcode #,first_name,last_name,email\nBC-0002,Grace,Hopper,\n"
    assert people(parse_roster(data, parse_map("Barcode #=ticket_code"))) == [
        ("Grace", "Hopper", None, "BC-0002", "General", "confirmed")]


@pytest.mark.parametrize("text, message", [
    ("Barcode #", "is not HEADER=field"),
    ("Barcode #=barcode", "names no field"),
    ("A=email,B=email", "two headers for email"),
    (" , ", "mapping is empty"),
])
def test_a_bad_mapping_is_one_clear_message(text, message):
    with pytest.raises(RosterFileError, match=message):
        parse_map(text)


def test_a_mapping_that_misses_a_required_field_says_which():
    with pytest.raises(RosterFileError, match=r"lacks a column for ticket_code .*--map"):
        parse_roster(b"Vorname,Nachname,email\nAda,Lovelace,ada@example.org\n", parse_map("Vorname=first_name,"
                                                                                          "Nachname=last_name"))
    with pytest.raises(RosterFileError, match="no preset 'tito'"):
        preset("tito")
