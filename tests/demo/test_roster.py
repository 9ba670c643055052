"""The demo's guest list (kiosk/demo/roster.py)."""

from kiosk.demo import demo_roster


def test_the_roster_is_plausible_diverse_and_stable():
    roster = demo_roster()
    assert len(roster) == 300 and roster == demo_roster()
    assert len({a.ticket_code for a in roster}) == 300
    assert len({a.email for a in roster}) == 300
    assert any(not a.full_name.isascii() for a in roster)  # accents and other scripts
    assert {a.status for a in roster} == {"confirmed", "waitlisted", "cancelled"}
