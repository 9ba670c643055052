"""The demo's guest list: the same plausible, diverse few hundred people every time."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

DEMO_EVENT_NAME = "Open Source Summit — Demo Day"
DEMO_ATTENDEES = 300
DEMO_SEED = 2026
ARRIVED_EARLIER = 36  # attendees the side door let in before the demo starts

FIRST_NAMES = [
    "Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Guido", "Barbara", "Dennis", "Frances",
    "Amara", "Chinedu", "Ngozi", "Kwame", "Abena", "Tendai", "Thandiwe", "Sipho", "Zanele", "Wanjiru",
    "Aarav", "Priya", "Ananya", "Rohan", "Ishaan", "Meera", "Arjun", "Lakshmi", "Vikram", "Kavya",
    "Wei", "Mei", "Jun", "Xiaoling", "Hiroshi", "Yuki", "Sakura", "Haruto", "Min-jun", "Seo-yeon",
    "Nguyen", "Linh", "Thanh", "Siti", "Putri", "Rizal", "Maria", "José", "Lucía", "Mateo",
    "Camila", "Valentina", "Santiago", "Joaquín", "Florencia", "João", "Beatriz", "Thiago", "Ana", "Inês",
    "Émilie", "Chloé", "Léa", "Théo", "Hugo", "Zoë", "Søren", "Ingrid", "Astrid", "Bjørn",
    "Łukasz", "Zofia", "Agnieszka", "Mikołaj", "Jiří", "Tereza", "Dmitri", "Olga", "Anastasia", "Yaroslav",
    "Oksana", "Mehmet", "Elif", "Ayşe", "Emre", "Fatima", "Omar", "Layla", "Youssef", "Noor",
    "Darius", "Shirin", "Tariq", "Leilani", "Kai", "Aroha", "Tane", "Moana", "Siobhán", "Niamh",
    "Ciarán", "Eilidh", "Rhys", "Seren", "Dylan", "Olivia", "Liam", "Noah", "Emma", "Sophia",
]
LAST_NAMES = [
    "Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "van Rossum", "Liskov", "Ritchie",
    "Allen", "Okafor", "Adeyemi", "Mensah", "Boateng", "Moyo", "Ndlovu", "Dlamini", "Kamau", "Otieno",
    "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Menon", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Lee", "Tran", "Pham", "Santoso", "Wijaya", "García",
    "Rodríguez", "Fernández", "López", "Martínez", "González", "Silva", "Santos", "Oliveira", "Costa",
    "Dubois", "Lefèvre", "Moreau", "Müller", "Schäfer", "Weiß", "Jørgensen", "Lindqvist", "Nieminen",
    "Kowalski", "Nowak", "Wiśniewska", "Dvořák", "Novotná", "Ivanova", "Petrov", "Shevchenko", "Yılmaz",
    "Demir", "Haddad", "Mansour", "Rahimi", "Karimi", "Kahananui", "Ngata", "Parata", "O'Brien",
    "Ní Bhriain", "MacLeod", "Davies", "Evans", "Nakamura-Smith", "Ngozi Adichie", "de la Cruz",
]
TICKET_TYPES = ["General"] * 14 + ["Speaker"] * 2 + ["Volunteer"] * 2 + ["Sponsor", "Press"]


@dataclass(frozen=True)
class DemoAttendee:
    first_name: str
    last_name: str
    email: str
    ticket_code: str
    status: str = "confirmed"
    ticket_type: str = "General"
    plus_ones: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def demo_roster(count: int = DEMO_ATTENDEES, seed: int = DEMO_SEED) -> list[DemoAttendee]:
    """The same plausible, diverse guest list every time: a few cancelled, a few waitlisted."""
    rng = random.Random(seed)
    people, seen = [], set()
    while len(people) < count:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) in seen:
            continue
        seen.add((first, last))
        n = len(people) + 1
        roll = rng.random()
        status = "cancelled" if roll < 0.03 else "waitlisted" if roll < 0.06 else "confirmed"
        people.append(DemoAttendee(
            first_name=first,
            last_name=last,
            email=f"{_ascii(first)}.{_ascii(last)}{n}@example.org",
            ticket_code=f"OSS-{1000 + n:04d}",
            status=status,
            ticket_type=rng.choice(TICKET_TYPES),
            plus_ones=1 if rng.random() < 0.08 else 0,
        ))
    return people


def roster_csv(attendees: list[DemoAttendee]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "ticket_code", "status", "ticket_type", "plus_ones"])
    for a in attendees:
        writer.writerow([a.first_name, a.last_name, a.email, a.ticket_code, a.status, a.ticket_type, a.plus_ones])
    return out.getvalue().encode("utf-8")


def arrived_earlier(roster: list[DemoAttendee]) -> list[DemoAttendee]:
    """Who the side door let in before the demo starts."""
    # Every seventh confirmed guest: spread over the list, and some of them are on the ticket sheet.
    confirmed = [a for a in roster if a.status == "confirmed"]
    return confirmed[3::7][:ARRIVED_EARLIER]
