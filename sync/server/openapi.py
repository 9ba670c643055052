"""The OpenAPI document of API v1, as committed in docs/openapi.json.

Regenerate after changing a route or a wire schema::

    python -m sync.server.openapi docs/openapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def openapi_document() -> dict:
    from sync.server.app import build_api

    return build_api(None).openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m sync.server.openapi OUTPUT.json", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
