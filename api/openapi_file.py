"""The copy of the API's schema kept in the repo as openapi.json (SPEC 10.5).

`tiergraph openapi --write` (which runs `python -m api.openapi_file --write`) rewrites it
from the app; tests/api/test_openapi.py fails, naming that command, when the copy and the
schema the app serves differ. Routes added or changed make the copy stale: regenerate it in
the same change.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api.main import app

REPO_COPY = Path(__file__).resolve().parent.parent / "openapi.json"
REGENERATE = "tiergraph openapi --write"


def served() -> dict[str, Any]:
    """The schema the app serves at /openapi.json (the app is built, not started)."""
    return app.openapi()


def as_text(schema: dict[str, Any]) -> str:
    """The schema as the repo keeps it: indented JSON, keys in the app's order, UTF-8."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def differences(kept: Any, serving: Any) -> list[str]:
    """Where two schemas differ, as JSON pointers (at most the first 20)."""
    found: list[str] = []

    def walk(a: Any, b: Any, at: str) -> None:
        if len(found) >= 20:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in list(a) + [k for k in b if k not in a]:
                step = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if key not in a:
                    found.append(f"{step}: only served")
                elif key not in b:
                    found.append(f"{step}: only in the copy")
                else:
                    walk(a[key], b[key], step)
        elif a != b:
            found.append(f"{at or '/'}: differs")

    walk(kept, serving, "")
    return found


def main(argv: list[str]) -> int:
    """`python -m api.openapi_file [--write | --check] [FILE]`: print the served schema, write it
    to FILE (the repo's openapi.json by default), or check that FILE matches it."""
    parser = argparse.ArgumentParser(prog="python -m api.openapi_file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    parser.add_argument("file", nargs="?", type=Path, default=REPO_COPY)
    given = parser.parse_args(argv)
    schema = served()
    if given.write:
        given.file.write_text(as_text(schema), encoding="utf-8")
        print(f"wrote {given.file} ({len(schema['paths'])} paths)")
        return 0
    if given.check:
        try:
            kept = json.loads(given.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"{given.file} cannot be read ({error}); run `{REGENERATE}`", file=sys.stderr)
            return 1
        found = differences(kept, schema)
        if found:
            print(f"{given.file} differs from the served schema at:\n  " + "\n  ".join(found)
                  + f"\nrun `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{given.file} matches the served schema")
        return 0
    sys.stdout.write(as_text(schema))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
