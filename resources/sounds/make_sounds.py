"""Write the door sounds: short, distinct WAV files for green, amber and red results.

    python resources/sounds/make_sounds.py

- green: two rising notes (a "ding-ding" that reads as yes);
- amber: two equal middle notes (attention, not alarm);
- red: three low buzzes (no), clearly different even in a noisy hall.

Plain Python (wave + math), so the files can be regenerated anywhere; the
generated files are kept in the repository and packaged with the app.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
HERE = Path(__file__).resolve().parent


def tone(freq: float, seconds: float, volume: float = 0.5, square: bool = False) -> list[float]:
    n = int(RATE * seconds)
    attack, release = int(RATE * 0.005), int(RATE * 0.04)
    out = []
    for i in range(n):
        t = i / RATE
        s = math.sin(2 * math.pi * freq * t)
        if square:  # a buzz: odd harmonics, softened
            s = sum(math.sin(2 * math.pi * freq * k * t) / k for k in (1, 3, 5, 7)) * 0.8
        else:  # a bell: the fundamental plus a quiet octave
            s = 0.8 * s + 0.2 * math.sin(4 * math.pi * freq * t)
        env = min(1.0, i / attack if attack else 1.0, (n - i) / release if release else 1.0)
        out.append(volume * env * s)
    return out


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(name: str, samples: list[float]) -> Path:
    path = HERE / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32000)) for s in samples))
    return path


def main() -> None:
    write("green", tone(880, 0.12) + silence(0.02) + tone(1318.5, 0.22))
    write("amber", tone(660, 0.16) + silence(0.08) + tone(660, 0.16))
    write("red", tone(196, 0.14, 0.45, square=True) + silence(0.06)
          + tone(196, 0.14, 0.45, square=True) + silence(0.06) + tone(196, 0.2, 0.45, square=True))
    print(f"wrote green.wav, amber.wav, red.wav in {HERE}")


if __name__ == "__main__":
    main()
