"""`tiergraph backup DIR` and `tiergraph restore DIR`: Neo4j's store and the sealed audit log
taken and put back as one pair (infra/backup.py), the restored pair verified."""

from pathlib import Path
from typing import Annotated

import typer

from cli.console import console, err, load_settings, say

# infra.backup and the graph modules are imported inside the commands: they load the Neo4j
# driver, which `tiergraph --help` should not wait for.


def backup(
    directory: Annotated[Path, typer.Argument(help="A new or empty folder for the backup.")],
) -> None:
    """Back up the graph (a neo4j-admin dump) and the sealed audit log into DIR. Neo4j of the
    local stack is stopped while it is dumped and started again."""
    from graph.audit.seals import AuditStoreError
    from infra import backup as pair
    from infra.stack import StackError

    settings = load_settings()
    try:
        manifest = pair.backup(settings, directory, say)
    except (pair.BackupError, StackError, AuditStoreError) as error:
        err.print(f"[red]backup failed:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"backup of {manifest['database']!r} written to {directory}: the dump and "
                  f"{manifest['audit_entries']} sealed audit entries")


def restore(
    directory: Annotated[Path, typer.Argument(help="A folder written by `tiergraph backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm replacing the graph and the "
                                                    "audit log.")] = False,
) -> None:
    """Replace the graph and the sealed audit log by the backup in DIR, then verify the pair
    (audit chain and ledger). What was written since the backup is lost; the audit log it
    replaces is kept under the data dir. Neo4j of the local stack is stopped and restarted."""
    from graph import db
    from graph.audit import trail
    from graph.audit.seals import AuditStoreError
    from graph.money import books
    from infra import backup as pair
    from infra.stack import StackError

    if not yes:
        err.print("refusing to replace the graph and the audit log without --yes")
        raise typer.Exit(2)
    settings = load_settings()
    try:
        manifest = pair.restore(settings, directory, say)
    except (pair.BackupError, StackError, AuditStoreError) as error:
        err.print(f"[red]restore failed:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"restored {manifest['database']!r} and {manifest['audit_entries']} sealed "
                  f"audit entries from the backup of {manifest['created_at']}")
    if not db.ping():
        console.print("Neo4j is not running: start the stack, then run `tiergraph audit verify` "
                      "and `tiergraph ledger check`")
        return
    audit = trail.verify()
    ledger = books.report()
    console.print(f"audit log: {'intact' if audit['ok'] else audit['problem']} "
                  f"({audit['entries']} entries, {audit['sealed']} sealed)")
    console.print("ledger: balanced" if ledger["ok"] else
                  f"ledger: {'; '.join(ledger['problems'])}")
    if not (audit["ok"] and ledger["ok"]):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `backup` and `restore` to the command line."""
    app.command()(backup)
    app.command()(restore)
