"""`tiergraph openapi`: the API's schema, printed, written to the repo's openapi.json, or
checked against it.

The command line does not import the API (tests/test_layering.py): it runs
`python -m api.openapi_file`, which builds the app without starting it (no service is
needed) and does the work.
"""

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.console import err

ROOT = Path(__file__).resolve().parent.parent


def openapi(
    write: Annotated[bool, typer.Option("--write", help="Rewrite the file from the app.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Fail when the file differs from "
                                                        "the app's schema.")] = False,
    file: Annotated[Path | None, typer.Argument(help="The copy (default: the repo's "
                                                     "openapi.json).")] = None,
) -> None:
    """Print the schema the API serves at /openapi.json; --write rewrites the repo's copy
    (openapi.json), --check fails when that copy is stale."""
    if write and check:
        err.print("give --write or --check, not both")
        raise typer.Exit(2)
    argv = [sys.executable, "-m", "api.openapi_file"]
    argv += ["--write"] if write else ["--check"] if check else []
    argv += [str(file.resolve())] if file is not None else []
    done = subprocess.run(argv, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise typer.Exit(done.returncode)


def register(app: typer.Typer) -> None:
    """Add `openapi` to the command line."""
    app.command()(openapi)
