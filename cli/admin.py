"""Operator commands: API keys, personal data at rest, compliance reports, the audit log and
database maintenance."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.console import console, err, load_settings, shell_actor

# The graph modules are imported inside the commands: they load the Neo4j driver, which
# `tiergraph --help` should not wait for.


def apikeys_create(
    role: Annotated[str, typer.Option(help="mall, risk, compliance or admin")],
    label: Annotated[str, typer.Option(help="What the key is for.")],
) -> None:
    """Create a key; it is printed this once and stored only as a hash."""
    from graph.users import apikeys

    load_settings()
    try:
        created = apikeys.create(role, label, actor=shell_actor(), actor_role="admin")
    except ValueError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    console.print(f"{created['id']} ({created['role']}): {created['key']}")
    console.print("Store the key now: it cannot be shown again.")


def apikeys_list() -> None:
    """Run-time keys with role, label and dates."""
    from graph.users import apikeys

    load_settings()
    table = Table("id", "role", "label", "created", "revoked")
    for key in apikeys.list_keys():
        table.add_row(key["id"], key["role"], key["label"], key["created_at"],
                      key["revoked_at"] or "")
    console.print(table)


def apikeys_revoke(key_id: str) -> None:
    """Revoke a key (audited)."""
    from graph.users import apikeys

    load_settings()
    result = apikeys.revoke(key_id, actor=shell_actor(), actor_role="admin")
    if result is None:
        err.print(f"no API key {key_id!r}")
        raise typer.Exit(1)
    console.print(f"{key_id} revoked" if result else f"{key_id} was already revoked")


def pii_rotate_key() -> None:
    """Re-seal every phone under the current TIERGRAPH_PII_KEY (old keys in PII_OLD_KEYS)."""
    from graph import db
    from graph.audit import trail
    from graph.users import pii

    settings = load_settings()
    columns = (TextColumn("[bold]re-sealing phones"), TextColumn("{task.completed:,}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("rotate", total=None)
        count = pii.rotate(on_progress=lambda done: bar.update(task, completed=done))
    db.write(lambda tx: trail.append(tx, actor=shell_actor(), role="admin",
                                     action="pii.rotate_key",
                                     target=f"pii_key:{settings.pii_key_id}",
                                     after={"resealed": count}))
    console.print(f"{count} phones re-sealed under key {settings.pii_key_id}")


def report_tiers(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """The tier report: max tier paid, violations, rules over the cap, cycles, digest."""
    from graph.compliance import tier_report

    load_settings()
    report = tier_report()
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    else:
        table = Table(title="tiergraph tier report", show_header=False)
        for key, value in report.items():
            table.add_row(key, str(value))
        console.print(table)
    raise typer.Exit(0 if report["compliant"] else 1)


def report_verify(
    path: Annotated[Path, typer.Argument(help="A saved tier report (JSON).")],
) -> None:
    """Check a saved tier report (from `report tiers --json` or the API) against its digest:
    exit 0 when its content is what was digested, 1 when anything was changed."""
    from graph.compliance import report_digest

    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        err.print(f"[red]cannot read {path}:[/red] {error}")
        raise typer.Exit(2) from None
    if not isinstance(report, dict) or "digest" not in report:
        err.print(f"[red]{path} is not a tier report (no digest)[/red]")
        raise typer.Exit(2)
    if report_digest(report) == report["digest"]:
        console.print(f"report intact: {report['digest']}")
        return
    console.print(f"[red]report changed since it was digested[/red] "
                  f"(it claims {report['digest']})")
    raise typer.Exit(1)


def audit_verify() -> None:
    """Recompute the audit chain; name the first broken entry (exit 1) or print the head."""
    from graph.audit import trail

    load_settings()
    result = trail.verify()
    if result["ok"]:
        console.print(f"audit log intact: {result['entries']} entries ({result['sealed']} sealed "
                      f"in the audit store), head {result['head_hash']}")
        return
    if result["first_broken"] is None:  # the audit store did not answer: nothing was judged
        console.print(f"[red]{result['problem']}[/red]")
        raise typer.Exit(1)
    console.print(f"[red]audit log broken at entry {result['first_broken']}:[/red] "
                  f"{result['problem']} ({result['entries']} entries verified before it)")
    raise typer.Exit(1)


def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting everything.")] = False,
) -> None:
    """Delete every node and relationship of the graph (schema stays)."""
    from graph import db

    if not yes:
        err.print("refusing to delete the graph without --yes")
        raise typer.Exit(2)
    load_settings()
    console.print(f"deleted {db.reset_database()} nodes")


def ledger_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the whole ledger and show the pool, the gateway, what users are owed by bucket
    and what they owe, per kind: exit 0 when it all balances, 1 with the problems found."""
    from graph.money import books

    load_settings()
    report = books.report()
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        invariants = report["ledger"]
        console.print(f"{invariants['txns']:,} movements, {invariants['entries']:,} entries; "
                      f"sum {invariants['total']}, unbalanced {invariants['unbalanced']}, "
                      f"negative buckets {invariants['negative_buckets']}")
        for kind, totals in report["kinds"].items():
            table = Table(title=f"{kind} (cents)" if kind == "cash" else kind, show_header=False)
            table.add_row("pool", f"{totals['pool_cents']:,}")
            table.add_row("paid out (gateway)", f"{totals['gateway_cents']:,}")
            for bucket, owed in totals["liabilities"].items():
                table.add_row(f"owed: {bucket}", f"{owed:,}")
            table.add_row("owed in all", f"{totals['liabilities_total']:,}")
            for bucket, debt in totals["debts"].items():
                table.add_row(f"owed by {debt['users']} users ({bucket})", f"{debt['cents']:,}")
            table.add_row("balanced", "yes" if totals["balanced"] else "[red]no[/red]")
            console.print(table)
        for problem in report["problems"]:
            console.print(f"[red]{problem}[/red]")
        console.print("ledger balanced" if report["ok"] else "[red]ledger check failed[/red]")
    raise typer.Exit(0 if report["ok"] else 1)
