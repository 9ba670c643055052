from kiosk.scanner.repeats import RepeatFilter


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_code_held_in_view_is_scanned_once_until_it_has_been_away_for_the_hold_time():
    clock = Clock()
    seen = RepeatFilter(3.0, clock=clock)
    assert seen.is_new("ADA")
    for _ in range(100):  # held in front of the camera for 10 s, seen every 0.1 s
        clock.now += 0.1
        assert not seen.is_new("ADA")
    clock.now += 2.9
    assert not seen.is_new("ADA")  # back too soon
    clock.now += 3.1
    assert seen.is_new("ADA")


def test_another_code_is_scanned_at_once():
    clock = Clock()
    seen = RepeatFilter(3.0, clock=clock)
    assert seen.is_new("ADA")
    assert seen.is_new("GRACE")
    assert not seen.is_new("ADA")
    seen.forget()
    assert seen.is_new("ADA")


def test_many_codes_do_not_grow_memory_forever():
    clock = Clock()
    seen = RepeatFilter(1.0, clock=clock)
    for n in range(1000):
        clock.now += 2
        assert seen.is_new(f"CODE-{n}")
    assert len(seen._last_seen) <= 65
