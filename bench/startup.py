"""Start-up of the packaged app: time to the ready screen, peak resident memory, folder size.

    python bench/startup.py [--binary dist/checkin-kiosk/checkin-kiosk] [--attendees 100000] [--runs 5]

The app is started offscreen with ``--screenshot=FILE``: it builds every screen, waits for
the start-up work queued on its database worker, lets the window settle (SETTLE_S, the
app's own screenshot delay) and saves the window. "Ready" is the moment the screenshot
line appears on stdout minus that settle time. Peak memory is the process's maximum
resident set (``wait4``), so it includes rendering the screenshot. Bars (docs BRIEF §6):
ready ≤ 3 s, resident memory ≤ 300 MB. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTLE_S = 0.4  # kiosk/app/shell.py screenshot_when_ready(settle_ms=400)
ROOT = Path(__file__).resolve().parent.parent


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "QT_"))}
    config = work / "config.toml"
    config.write_text("sounds = false\n", encoding="utf-8")
    env.update(KIOSK_CONFIG=str(config), KIOSK_DATA_DIR=str(work / "data"), KIOSK_LOG_DIR=str(work / "logs"),
               QT_QPA_PLATFORM="offscreen", HOME=str(work / "home"))
    return env


def write_roster(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["first_name", "last_name", "email", "ticket_code"])
        for i in range(count):
            out.writerow([f"First{i}", f"Last{i}", f"person{i}@example.org", f"TCK-{i:08d}"])


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float | None, int, str]:
    """(seconds to exit, seconds to the screenshot line or None, peak RSS in KiB, stderr)."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = None
    for line in child.stdout:
        if ready is None and line.startswith("Screenshot written"):
            ready = time.perf_counter() - started - SETTLE_S
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    err = child.stderr.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}): {err.strip()[-500:]}")
    return elapsed, ready, usage.ru_maxrss, err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path,
                        default=Path(os.environ.get("KIOSK_FROZEN_BINARY", ROOT / "dist/checkin-kiosk/checkin-kiosk")))
    parser.add_argument("--attendees", type=int, default=100_000, help="roster size for the loaded runs (0: skip)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    binary = args.binary.resolve()
    if not binary.is_file():
        raise SystemExit(f"no binary at {binary}: build it with packaging/build.sh --binary-only")

    print(f"binary: {binary}")
    print(f"folder: {folder_size(binary.parent) / 2**20:.0f} MiB ({binary.parent})")
    print(f"cpus:   {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="kiosk-startup-") as tmp:
        work = Path(tmp)
        env = environment(work)
        versions = [timed([str(binary), "--version"], env)[0] for _ in range(args.runs)]
        print(f"--version:            median {statistics.median(versions):.2f} s, max {max(versions):.2f} s")

        scenarios = [("empty replica", 0)]
        if args.attendees:
            scenarios.append((f"{args.attendees:,} attendees", args.attendees))
        for label, count in scenarios:
            if count:
                roster = work / "roster.csv"
                write_roster(roster, count)
                started = time.perf_counter()
                timed([str(binary), "import-roster", "--event-name", "Bench", str(roster)], env)
                print(f"import {count:,} rows:    {time.perf_counter() - started:.1f} s")
            status = [timed([str(binary), "status"], env)[0] for _ in range(args.runs)]
            readies, peaks = [], []
            for i in range(args.runs):
                _, ready, peak_kib, _ = timed([str(binary), f"--screenshot={work / f'shot{i}.png'}"], env)
                readies.append(ready)
                peaks.append(peak_kib / 1024)
            print(f"[{label}] status:       median {statistics.median(status):.2f} s")
            print(f"[{label}] ready screen: median {statistics.median(readies):.2f} s, "
                  f"max {max(readies):.2f} s (bar 3 s)")
            print(f"[{label}] peak RSS:     median {statistics.median(peaks):.0f} MiB, "
                  f"max {max(peaks):.0f} MiB (bar 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
