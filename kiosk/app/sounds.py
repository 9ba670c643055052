"""A short sound for each door result; never blocks, never fails the app.

QtMultimedia is not part of pyside6-essentials, so the sound is played by
whatever the platform offers, in this order:

1. ``QSoundEffect`` when QtMultimedia is installed (pyside6-addons);
2. Windows: ``winsound`` with ``SND_ASYNC``;
3. macOS ``afplay``, Linux ``pw-play`` / ``paplay`` / ``aplay``, as a child
   process that is not waited for;
4. nothing: the result panel still says everything in words and colour.

The WAV files come from ``resources/sounds/make_sounds.py``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

COLOURS = ("green", "amber", "red")


def resources_dir() -> Path:
    """The ``resources`` folder: beside the frozen executable's files, or at the top of the source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def sound_files(folder: Path | None = None) -> dict[str, Path]:
    folder = folder or resources_dir() / "sounds"
    return {c: folder / f"{c}.wav" for c in COLOURS if (folder / f"{c}.wav").is_file()}


class SoundPlayer:
    """Plays the green / amber / red sound. ``enabled=False`` makes it silent."""

    def __init__(self, enabled: bool = True, folder: Path | None = None):
        self.enabled = enabled
        self.files = sound_files(folder)
        self._effects: dict = {}
        self._command: list[str] | None = None
        self._child: subprocess.Popen | None = None
        self._stopping: list[subprocess.Popen] = []  # terminated players not yet reaped
        self.backend = "none"
        if enabled and self.files:
            self._choose_backend()
        if enabled and self.backend == "none":
            log.info("no way to play sounds here (files: %d); results are shown without sound", len(self.files))

    def _choose_backend(self) -> None:
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:
            pass
        else:
            for colour, path in self.files.items():
                effect = QSoundEffect()
                effect.setSource(QUrl.fromLocalFile(str(path)))
                self._effects[colour] = effect
            self.backend = "qtmultimedia"
            return
        if sys.platform == "win32":
            self.backend = "winsound"
            return
        for program, args in (("afplay", []), ("pw-play", []), ("paplay", []), ("aplay", ["-q"])):
            found = shutil.which(program)
            if found:
                self._command = [found, *args]
                self.backend = program
                return

    def play(self, colour: str) -> None:
        """Start the sound for ``colour`` and return at once; a newer sound cuts an older one."""
        if not self.enabled or colour not in self.files or self.backend == "none":
            return
        try:
            if self.backend == "qtmultimedia":
                self._effects[colour].play()
            elif self.backend == "winsound":
                import winsound

                winsound.PlaySound(str(self.files[colour]), winsound.SND_FILENAME | winsound.SND_ASYNC)
            else:
                self._stop_child()
                self._child = subprocess.Popen(
                    [*self._command, str(self.files[colour])],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
        except OSError as exc:  # no audio device, player gone: go quiet rather than fail a scan
            log.warning("cannot play sounds (%s); continuing without them", exc)
            self.backend = "none"

    def _stop_child(self) -> None:
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.terminate()
            self._stopping.append(child)  # reaped later: never wait for a player on the GUI thread
        # poll() reaps a finished player so no zombie is left behind.
        self._stopping = [old for old in self._stopping if old.poll() is None]

    def close(self) -> None:
        self._stop_child()
        for child in self._stopping:  # at exit only: a terminated player is gone within milliseconds
            try:
                child.wait(timeout=2)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._stopping = []
