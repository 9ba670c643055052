"""Search by name, email and code on a real replica with its real FTS5 index."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.core import search as search_module
from kiosk.core.roster import import_roster
from kiosk.core.search import (
    MATCHED_CODE,
    MATCHED_EMAIL,
    MATCHED_EMAIL_PREFIX,
    MATCHED_EMAIL_WORDS,
    MATCHED_NAME,
    search,
)
from sync.clock import utcnow
from sync.replica.models import Attendee
from tests.core.conftest import add_attendees, add_event

ROSTER = (
    "first_name,last_name,email,ticket_code",
    "Ada,Lovelace,ada@example.org,ADA-0001",
    "Émilie,du Châtelet,emilie@example.org,EMILIE-0002",
    "José,Núñez,jose.nunez@example.org,JOSE-0003",
    "Zoë,Ørsted,zoe@example.org,ZOE-0004",
    "Robert,Stone,bob.dean@example.org,ROB-0005",
    "Bob,Marley,marley@example.org,BOB-0006",
    "Łukasz,Wójcik,lw@example.org,LUK-0007",
)


@pytest.fixture
def event_id(replica):
    import_roster(replica, ("\n".join(ROSTER) + "\n").encode("utf-8"))
    return replica.get_state("event_id")


def names(hits) -> list[str]:
    return [hit.attendee.full_name for hit in hits]


def add_people(replica, event_id, people):
    now = utcnow()
    with replica.session() as s:
        for n, (first, last, email) in enumerate(people):
            s.add(Attendee(id=f"p-{first}-{last}-{n}", event_id=event_id, first_name=first, last_name=last,
                           email=email, ticket_code=f"P-{n:04d}-{first[:3]}".upper().replace("Ø", "O"),
                           created_at=now, updated_at=now))


# ---- names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ada", "Ada Lovelace"),
        ("LOVE", "Ada Lovelace"),
        ("l", None),  # checked below: several
        ("emilie", "Émilie du Châtelet"),
        ("ÉMILIE", "Émilie du Châtelet"),
        ("chat", "Émilie du Châtelet"),
        ("châtelet", "Émilie du Châtelet"),
        ("nunez", "José Núñez"),
        ("núñ", "José Núñez"),
        ("jose n", "José Núñez"),
        ("n jose", "José Núñez"),
        ("zoe", "Zoë Ørsted"),
        ("ørs", "Zoë Ørsted"),
        ("łuk", "Łukasz Wójcik"),
        ("wojcik", "Łukasz Wójcik"),
        ("  du   châ  ", "Émilie du Châtelet"),
    ],
)
def test_names_any_word_prefix_accent_and_case_insensitive(replica, event_id, typed, expected):
    hits = search(replica, event_id, typed)
    if expected is None:
        assert {"Ada Lovelace", "Łukasz Wójcik"} <= set(names(hits))
        return
    assert names(hits)[0] == expected and hits[0].matched == MATCHED_NAME


def test_every_word_must_match(replica, event_id):
    assert search(replica, event_id, "ada stone") == []
    assert names(search(replica, event_id, "ada lov")) == ["Ada Lovelace"]


def test_other_events_and_merged_walkins_are_not_found(replica, event_id):
    add_event(replica, event_id="evt-other", make_current=False)
    add_attendees(replica, [("Ada", "Elsewhere", "ada2@example.org", "OTHER-0001", "confirmed")], event_id="evt-other")
    now = utcnow()
    with replica.session() as s:
        canonical = s.scalar(select(Attendee.id).where(Attendee.ticket_code == "ADA-0001"))
        s.add(Attendee(id="walk-1", event_id=event_id, first_name="Ada", last_name="Lovelace-Walkin",
                       email="ada.walkin@example.org", ticket_code="W-0001", is_walkin=True,
                       merged_into_id=canonical, created_at=now, updated_at=now))
    assert names(search(replica, event_id, "ada")) == ["Ada Lovelace"]
    assert search(replica, event_id, "W-0001") == []
    assert search(replica, event_id, "OTHER-0001") == []
    assert names(search(replica, "evt-other", "ada")) == ["Ada Elsewhere"]


# ---- codes and emails -----------------------------------------------------------------


def test_exact_code_comes_first_and_lower_case_finds_it(replica, event_id):
    hits = search(replica, event_id, "ADA-0001")
    assert (names(hits), hits[0].matched, hits[0].rank) == (["Ada Lovelace"], MATCHED_CODE, 0)
    assert names(search(replica, event_id, "ada-0001")) == ["Ada Lovelace"]
    assert [(h.attendee.ticket_code, h.matched) for h in search(replica, event_id, "ADA-000")] == [
        ("ADA-0001", search_module.MATCHED_CODE_PART)]  # a part of a code finds it, after the whole codes


def test_exact_email_then_email_prefix(replica, event_id, monkeypatch):
    hits = search(replica, event_id, "  Jose.Nunez@Example.org ")
    assert names(hits) == ["José Núñez"] and hits[0].matched == MATCHED_EMAIL
    hits = search(replica, event_id, "marley@exa")
    assert names(hits) == ["Bob Marley"] and hits[0].matched == MATCHED_EMAIL_WORDS
    # When the words of the email are too common to rank (everyone is @example.org), the prefix still finds it.
    monkeypatch.setattr(search_module, "RANKED_LIMIT", 0)
    hits = search(replica, event_id, "marley@exa")
    assert names(hits) == ["Bob Marley"] and hits[0].matched == MATCHED_EMAIL_PREFIX
    assert names(search(replica, event_id, "jose.nunez@example.or")) == ["José Núñez"]
    assert search(replica, event_id, "marley@exb") == []


def test_names_before_email_words(replica, event_id):
    # "bob" is Bob Marley's name, and only a word of Robert Stone's email.
    hits = search(replica, event_id, "bob")
    assert names(hits) == ["Bob Marley", "Robert Stone"]
    assert [hit.matched for hit in hits] == [MATCHED_NAME, MATCHED_EMAIL_WORDS]
    assert [hit.rank for hit in hits] == [0, 1]


def test_code_then_email_then_name(replica, event_id):
    now = utcnow()
    with replica.session() as s:
        # Someone whose name is the code typed, and someone whose email it is.
        s.add(Attendee(id="x1", event_id=event_id, first_name="Zed", last_name="Code", email="rob-0005@example.org",
                       ticket_code="ZED-0001", created_at=now, updated_at=now))
    hits = search(replica, event_id, "rob-0005@example.org")
    assert [(h.attendee.full_name, h.matched) for h in hits][0] == ("Zed Code", MATCHED_EMAIL)
    hits = search(replica, event_id, "ROB-0005")
    assert hits[0].matched == MATCHED_CODE and hits[0].attendee.full_name == "Robert Stone"


def test_bm25_then_alphabetical(replica, event_id):
    add_people(replica, event_id, [("Ann", "Zed", "p1@example.org"), ("Ann", "Abe", "p2@example.org"),
                                   ("Ann", "moe", "p3@example.org"), ("Ann", "Ann", "p4@example.org")])
    hits = search(replica, event_id, "ann")
    # "Ann Ann" has the word twice (bm25 first); the rest tie and come alphabetically, case-insensitively.
    assert names(hits) == ["Ann Ann", "Ann Abe", "Ann moe", "Ann Zed"]
    assert hits[0].score < hits[1].score == hits[2].score == hits[3].score


# ---- broad queries: the alphabetical walk ---------------------------------------------


def test_broad_query_walks_alphabetically(replica, event_id, monkeypatch):
    monkeypatch.setattr(search_module, "RANKED_LIMIT", 2)
    monkeypatch.setattr(search_module, "WALK_SLICE_LIMIT", 2)
    add_people(replica, event_id, [("Adam", "Kay", "k1@example.org"), ("Aaron", "Kay", "k2@example.org"),
                                   ("Abby", "Kay", "k3@example.org"), ("Al", "Kay", "k4@example.org"),
                                   ("A", "Kay", "k5@example.org"), ("A9", "Kay", "k6@example.org")])
    hits = search(replica, event_id, "a")
    # The whole word "a" first, then by the matched word: a9, aaron, abby, ada/adam (a tie: by last name), al.
    assert names(hits) == ["A Kay", "A9 Kay", "Aaron Kay", "Abby Kay", "Adam Kay", "Ada Lovelace", "Al Kay"]
    assert all(hit.matched == MATCHED_NAME for hit in hits)
    assert names(search(replica, event_id, "a", limit=3)) == ["A Kay", "A9 Kay", "Aaron Kay"]


def test_broad_query_finds_words_the_walk_does_not_try(replica, event_id, monkeypatch):
    monkeypatch.setattr(search_module, "RANKED_LIMIT", 1)
    monkeypatch.setattr(search_module, "WALK_SLICE_LIMIT", 1)
    add_people(replica, event_id, [("Bø", "One", "b1@example.org"), ("Bøb", "Two", "b2@example.org"),
                                   ("Ba", "Three", "b3@example.org")])
    assert set(names(search(replica, event_id, "b"))) >= {"Bø One", "Bøb Two", "Ba Three", "Bob Marley"}


def test_broad_query_finds_the_same_name_matches_as_a_ranked_one(replica, event_id, monkeypatch):
    add_people(replica, event_id, [("Olga", "One", "x1@example.org"), ("Oscar", "O'Neil", "x2@example.org"),
                                   ("Otto", "Ruiz", "x3@example.org"), ("Ana", "Oz", "x4@example.org")])
    ranked = {h.attendee.id for h in search(replica, event_id, "o", limit=100) if h.matched == MATCHED_NAME}
    assert len(ranked) >= 3
    monkeypatch.setattr(search_module, "RANKED_LIMIT", 1)
    monkeypatch.setattr(search_module, "WALK_SLICE_LIMIT", 1)
    walked = search(replica, event_id, "o", limit=100)
    assert {h.attendee.id for h in walked} == ranked and len(walked) == len(ranked)


# ---- hostile and odd input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        '"*(AND OR NEAR',
        "NEAR(ada lovelace, 2)",
        "ada OR bob",
        "ada AND NOT bob",
        "name: ada",
        "{name email}: ada",
        "^ada",
        "ada*",
        "'; DROP TABLE attendees; --",
        "' OR '1'='1",
        "\") OR 1=1 --",
        "ada\x00lovelace",
        "\u202eada",
        "a" * 10_000,
        "ada " * 500,
    ],
)
def test_hostile_text_is_only_ever_text(replica, event_id, hostile):
    hits = search(replica, event_id, hostile)
    assert isinstance(hits, list) and len(hits) <= 25
    with replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attendee)) == 7


def test_query_syntax_words_are_searched_as_words(replica, event_id):
    add_people(replica, event_id, [("Near", "Orr", "n1@example.org"), ("Andy", "Notting", "n2@example.org")])
    assert names(search(replica, event_id, "NEAR")) == ["Near Orr"]
    assert [h.attendee.full_name for h in search(replica, event_id, "or") if h.matched == MATCHED_NAME] == ["Near Orr"]
    assert names(search(replica, event_id, "AND NOT")) == ["Andy Notting"]
    assert names(search(replica, event_id, '"*(AND OR NEAR')) == []
    assert names(search(replica, event_id, "ada*")) == ["Ada Lovelace"]
    assert names(search(replica, event_id, "name: ada")) == []  # "name" is a word here, not a column


@pytest.mark.parametrize("nothing", ["", "   ", "!!!", "*", '"', "()", "-", "\x00\x01", None, b""])
def test_empty_or_punctuation_only_finds_nobody(replica, event_id, nothing):
    assert search(replica, event_id, nothing) == []


def test_limit(replica, event_id):
    assert len(search(replica, event_id, "example", limit=3)) <= 3
    assert search(replica, event_id, "ada", limit=0) == []
    assert len(search(replica, event_id, "o", limit=2)) == 2


def test_bytes_are_accepted(replica, event_id):
    assert names(search(replica, event_id, "Émilie".encode())) == ["Émilie du Châtelet"]


def test_hit_view_and_json(replica, event_id):
    (hit,) = search(replica, event_id, "ADA-0001")
    view = hit.attendee
    assert (view.first_name, view.email, view.ticket_code, view.status, view.checked_in, view.inside) == (
        "Ada", "ada@example.org", "ADA-0001", "confirmed", False, False)
    data = hit.to_json()
    assert data["matched"] == MATCHED_CODE and data["attendee"]["full_name"] == "Ada Lovelace"


def test_part_of_a_ticket_code_finds_it_anywhere_in_the_code(replica, event_id):
    """Staff read out part of a code ("0002", "TKT-000"): any 3 characters or more of it."""
    from kiosk.core.search import MATCHED_CODE_PART

    hits = search(replica, event_id, "0002")
    assert [(h.attendee.ticket_code, h.matched) for h in hits] == [("EMILIE-0002", MATCHED_CODE_PART)]
    assert sorted(h.attendee.ticket_code for h in search(replica, event_id, "-000")) == [
        "ADA-0001", "BOB-0006", "EMILIE-0002", "JOSE-0003", "LUK-0007", "ROB-0005", "ZOE-0004"]
    assert [h.attendee.ticket_code for h in search(replica, event_id, "ilie-0")] == ["EMILIE-0002"]
    assert [h.attendee.ticket_code for h in search(replica, event_id, "lie-000")] == ["EMILIE-0002"]  # typed lower
    assert search(replica, event_id, "02") == []  # two characters are in too many codes
    assert search(replica, event_id, "9999") == []
    # The whole code is still the first hit, ahead of the codes that merely hold it.
    assert search(replica, event_id, "ADA-0001")[0].matched == MATCHED_CODE
