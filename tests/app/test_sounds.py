"""Result sounds: three distinct WAV files, and playing never blocks or fails a scan."""

from __future__ import annotations

import shutil
import wave

from kiosk.app.sounds import COLOURS, SoundPlayer, sound_files


def test_there_is_a_distinct_short_sound_for_each_colour():
    files = sound_files()
    assert set(files) == set(COLOURS)
    contents = set()
    for path in files.values():
        with wave.open(str(path)) as w:
            seconds = w.getnframes() / w.getframerate()
            assert 0.1 < seconds < 1.5
            contents.add(w.readframes(w.getnframes()))
    assert len(contents) == 3


def test_playing_does_not_wait_for_the_player(tmp_path):
    player = SoundPlayer(enabled=True)
    # A "player" that never finishes: were play() to wait for it, this test would hang.
    # (`sh -c 'exec sleep 1000' player FILE`: the sound file is $1, unused; `sleep 1000 -- FILE` failed at once.)
    player.backend, player._command = "sleep", [shutil.which("sh") or "/bin/sh", "-c", "exec sleep 1000", "player"]
    player.play("green")
    first = player._child
    assert first is not None and first.poll() is None  # still "playing" after play() returned
    player.play("red")  # a newer result cuts the older sound
    assert player._child is not first and first.wait(timeout=10) is not None
    player.close()
    assert player._child is None


def test_no_player_or_a_broken_one_is_silent_not_an_error(tmp_path):
    silent = SoundPlayer(enabled=True, folder=tmp_path)  # no sound files here
    silent.play("green")
    assert silent.backend == "none"
    broken = SoundPlayer(enabled=True)
    broken.backend, broken._command = "gone", [str(tmp_path / "no-such-player")]
    broken.play("red")  # OSError inside: the player goes quiet
    assert broken.backend == "none"
    SoundPlayer(enabled=False).play("amber")
