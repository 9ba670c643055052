"""``python -m sync.server --db URL [--host H] [--port P]``: the API without the kiosk package."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.server", description="Run the checkin-kiosk central API.")
    parser.add_argument("--db", required=True, help="sqlite:///path.db, a file path, or postgresql://user:pw@host/db")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    from sync.server.admin import serve
    from sync.server.database import DatabaseUnavailable

    try:
        serve(args.db, args.host, args.port, args.log_level)
    except (OSError, DatabaseUnavailable) as exc:
        print(f"server: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
