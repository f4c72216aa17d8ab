"""`tiergraph`: the command line of the stack, imports, reports and benchmarks.

This module builds the Typer app and registers the commands of the modules beside it, in the
order `tiergraph --help` lists them.
"""

import logging

import typer

from cli import admin, backup, bench, data, openapi, stack_commands
from cli.console import OneLineRetries

app = typer.Typer(
    help="tiergraph: referral rebates on a Neo4j invite graph, capped at three tiers.",
    no_args_is_help=True, pretty_exceptions_enable=False)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Run-time API keys (stored hashed).", no_args_is_help=True)
pii_app = typer.Typer(help="Personal data at rest.", no_args_is_help=True)
report_app = typer.Typer(help="Compliance reports.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="apikeys")
app.add_typer(pii_app, name="pii")
app.add_typer(report_app, name="report")
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")

keys_app.command("create")(admin.apikeys_create)
keys_app.command("list")(admin.apikeys_list)
keys_app.command("revoke")(admin.apikeys_revoke)
pii_app.command("rotate-key")(admin.pii_rotate_key)

app.command()(stack_commands.up)
app.command()(stack_commands.down)
app.command()(stack_commands.status)
app.command("import")(data.import_file)
app.command()(stack_commands.demo)
app.command()(data.generate)
app.command()(bench.bench)
app.command()(data.detect)
app.command()(data.evaluate)

report_app.command("tiers")(admin.report_tiers)
report_app.command("verify")(admin.report_verify)
audit_app.command("verify")(admin.audit_verify)
db_app.command("reset")(admin.db_reset)
ledger_app.command("check")(admin.ledger_check)
backup.register(app)
openapi.register(app)

logging.getLogger("neo4j.session").addFilter(OneLineRetries())

if __name__ == "__main__":
    app()
