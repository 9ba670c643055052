import json

from sqlalchemy import select

from kiosk.core.results import Result
from kiosk.core.walkins import register_walkin, validate_walkin
from sync.replica.models import Attendee, OutboxItem


def test_walkin_creates_attendee_ticket_and_checkin(roster_replica, desk):
    outcome = register_walkin(roster_replica, "Katherine", "Johnson", "Katherine@NASA.gov", desk=desk)
    assert outcome.created
    assert outcome.decision.result == Result.ADMITTED
    walkin = outcome.attendee
    assert walkin.is_walkin and walkin.inside and walkin.email == "katherine@nasa.gov"
    assert walkin.ticket_code.startswith("W-")
    # The new ticket works at the door like any other: already inside.
    assert desk.scan(walkin.ticket_code).result == Result.ALREADY_CHECKED_IN
    with roster_replica.session(write=False) as s:
        queued = s.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
    assert [q.kind for q in queued][:2] == ["walkin", "checkin"]  # the walk-in travels first
    assert json.loads(queued[0].payload_json)["email"] == "katherine@nasa.gov"


def test_walkin_with_an_email_on_the_roster_offers_that_attendee(roster_replica, desk):
    outcome = register_walkin(roster_replica, "ÁDA", " lovelace", " ADA@example.org ", desk=desk)
    assert not outcome.created
    assert outcome.existing.ticket_code == "ADA-0001"
    with roster_replica.session(write=False) as s:
        assert s.scalar(select(Attendee).where(Attendee.is_walkin.is_(True))) is None
        assert s.scalar(select(OutboxItem)) is None


def test_walkin_sharing_an_email_under_another_name_is_another_person(roster_replica, desk):
    """A family or a shared office address: the e-mail alone does not make two people one."""
    outcome = register_walkin(roster_replica, "Adam", "Lovelace", "ada@example.org", desk=desk)
    assert outcome.created and outcome.decision.result == Result.ADMITTED
    again = register_walkin(roster_replica, "Adam", "LOVELACE", "ada@example.org", desk=desk)
    assert not again.created and again.existing.ticket_code == outcome.attendee.ticket_code


def test_walkin_without_email_and_two_with_the_same_name(roster_replica, desk):
    a = register_walkin(roster_replica, "Sam", "", None, desk=desk)
    b = register_walkin(roster_replica, "Sam", "", None, desk=desk)
    assert a.created and b.created and a.attendee.ticket_code != b.attendee.ticket_code


def test_validation_in_plain_words():
    assert validate_walkin("Ada", "Lovelace", "ada@example.org") == {}
    assert validate_walkin("Ada", "", "") == {}
    problems = validate_walkin("  ", "x" * 101, "not-an-email")
    assert set(problems) == {"first_name", "last_name", "email"}
    assert "first name" in problems["first_name"]


def test_invalid_walkin_writes_nothing(roster_replica, desk):
    outcome = register_walkin(roster_replica, "", "Nobody", "bad@", desk=desk)
    assert not outcome.created and outcome.attendee is None
    with roster_replica.session(write=False) as s:
        assert s.scalar(select(OutboxItem)) is None


def test_no_event(replica):
    outcome = register_walkin(replica, "Ada")
    assert not outcome.created and "No event" in outcome.reason
