"""`tiergraph`: the command line of the stack, imports, reports and benchmarks."""

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.settings import get_settings

app = typer.Typer(help="tiergraph: referral rebates on a Neo4j invite graph, capped at three tiers.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
report_app = typer.Typer(help="Compliance reports.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
keys_app = typer.Typer(help="Run-time API keys (stored hashed).", no_args_is_help=True)
app.add_typer(keys_app, name="apikeys")
pii_app = typer.Typer(help="Personal data at rest.", no_args_is_help=True)
app.add_typer(pii_app, name="pii")


class _OneLineRetries(logging.Filter):
    """The driver warns of each transaction it retries with the server's whole message (a
    dozen lines of lock owners for a deadlock), which reads like a failure at the console.
    A retry is the driver doing its job: say it in one line with the error's code. The
    services' log files keep the full message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Transaction failed and will be retried") and record.args:
            delay, error = tuple(record.args)[:2]
            code = getattr(error, "code", None) or type(error).__name__
            record.msg, record.args = "Neo4j transaction retried in %.2f s (%s)", (float(delay), code)
        return True


logging.getLogger("neo4j.session").addFilter(_OneLineRetries())


def _operator() -> str:
    """The audit actor for commands typed at the shell."""
    import getpass

    return f"cli:{getpass.getuser()}"


@keys_app.command("create")
def apikeys_create(
    role: Annotated[str, typer.Option(help="mall, risk, compliance or admin")],
    label: Annotated[str, typer.Option(help="What the key is for.")],
) -> None:
    """Create a key; it is printed this once and stored only as a hash."""
    from graph.users import apikeys

    _settings()
    try:
        created = apikeys.create(role, label, actor=_operator(), actor_role="admin")
    except ValueError as error:
        err.print(str(error))
        raise typer.Exit(2) from None
    console.print(f"{created['id']} ({created['role']}): {created['key']}")
    console.print("Store the key now: it cannot be shown again.")


@keys_app.command("list")
def apikeys_list() -> None:
    """Run-time keys with role, label and dates."""
    from graph.users import apikeys

    _settings()
    table = Table("id", "role", "label", "created", "revoked")
    for key in apikeys.list_keys():
        table.add_row(key["id"], key["role"], key["label"], key["created_at"], key["revoked_at"] or "")
    console.print(table)


@keys_app.command("revoke")
def apikeys_revoke(key_id: str) -> None:
    """Revoke a key (audited)."""
    from graph.users import apikeys

    _settings()
    result = apikeys.revoke(key_id, actor=_operator(), actor_role="admin")
    if result is None:
        err.print(f"no API key {key_id!r}")
        raise typer.Exit(1)
    console.print(f"{key_id} revoked" if result else f"{key_id} was already revoked")


@pii_app.command("rotate-key")
def pii_rotate_key() -> None:
    """Re-seal every phone under the current TIERGRAPH_PII_KEY (old keys in PII_OLD_KEYS)."""
    from graph.audit import trail
    from graph import db
    from graph.users import pii

    settings = _settings()
    columns = (TextColumn("[bold]re-sealing phones"), TextColumn("{task.completed:,}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("rotate", total=None)
        count = pii.rotate(on_progress=lambda done: bar.update(task, completed=done))
    db.write(lambda tx: trail.append(tx, actor=_operator(), role="admin", action="pii.rotate_key",
                                     target=f"pii_key:{settings.pii_key_id}",
                                     after={"resealed": count}))
    console.print(f"{count} phones re-sealed under key {settings.pii_key_id}")
app.add_typer(report_app, name="report")
app.add_typer(db_app, name="db")
console = Console()
err = Console(stderr=True)


def _settings():  # noqa: ANN202 - a ValueError here is a refused setting, said plainly
    try:
        return get_settings()
    except Exception as error:
        err.print(f"[red]settings refused:[/red] {error}")
        raise typer.Exit(2) from None


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Also load the demo mall.")] = False,
    services: Annotated[str, typer.Option(help="Comma-separated subset to start.")] =
    "neo4j,redis,audit,worker,beat,api",
) -> None:
    """Start Neo4j, Redis, the audit store, the Celery worker and beat, and the API (idempotent)."""
    from infra import stack

    settings = _settings()
    chosen = tuple(s.strip() for s in services.split(",") if s.strip())
    unknown = set(chosen) - set(stack.SERVICES)
    if unknown:
        err.print(f"unknown services {sorted(unknown)}; known: {', '.join(stack.SERVICES)}")
        raise typer.Exit(2)
    try:
        stack.up(settings, chosen, say=lambda m: console.print(f"[cyan]•[/cyan] {m}"))
    except stack.StackError as error:
        err.print(f"[red]could not start:[/red] {error}")
        raise typer.Exit(1) from None
    if demo:
        load_demo()
    base = f"http://{settings.api_host}:{settings.api_port}"
    console.print(f"\n[green]tiergraph is up.[/green] API docs: {base}/docs")
    if "api" in chosen:
        key = next((k for k, r in settings.api_key_roles().items() if r == "mall"), "KEY")
        ckey = next((k for k, r in settings.api_key_roles().items() if r == "compliance"), "KEY")
        # plain print: curl lines must stay whole to be copied
        print("Try:")
        print(f"  curl -s -H 'Authorization: Bearer {key}' {base}/v1/users/ring11/upline")
        print(f"  curl -s -H 'Authorization: Bearer {key}' {base}/v1/users/m00000/downline")
        print(f"  curl -s -X POST -H 'Authorization: Bearer {key}' {base}/v1/orders/ord-ring05/payouts")
        print(f"  curl -s -H 'Authorization: Bearer {ckey}' {base}/v1/compliance/tier-report")
        rkey = next((k for k, r in settings.api_key_roles().items() if r == "risk"), "KEY")
        print(f"  curl -s -H 'Authorization: Bearer {rkey}' '{base}/v1/risk/rings?min_score=0.7'")
        print(f"  curl -s -H 'Authorization: Bearer {rkey}' {base}/v1/risk/users/ring05")
        print("Stop everything with: make down")


@app.command()
def down() -> None:
    """Stop every service started by `up` (SIGTERM, waiting for a clean shutdown)."""
    from infra import stack

    try:
        stack.down(_settings(), say=lambda m: console.print(f"[cyan]•[/cyan] {m}"))
    except stack.StackError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None


@app.command()
def status() -> None:
    """Which services run (pid) and whether Neo4j and Redis answer."""
    from api.routers.health import redis_ok
    from infra import stack
    from graph import db

    for name, pid in stack.status(_settings()).items():
        console.print(f"{name:7} {'running, pid ' + str(pid) if pid else 'stopped'}")
    console.print(f"neo4j answers: {db.ping()}  redis answers: {redis_ok()}")


def _ingest_lines(lines: list[bytes], label: str, chunk: int, pipelined: bool = True) -> None:
    """Import NDJSON lines in chunks with a progress bar showing events per second."""
    from graph.ingest.batch import IngestResult, ingest_lines
    from workers.enqueue import enqueue_rebates

    started = time.perf_counter()
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>9} events/s"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=len(lines), rate="-")

        def after_chunk(result: IngestResult, done: int) -> None:
            if result.new_order_ids:
                enqueue_rebates(result.new_order_ids)
            rate = done / (time.perf_counter() - started)
            progress.update(task, completed=done, rate=f"{rate:,.0f}")

        total = ingest_lines(lines, chunk, after_chunk, pipelined)
    elapsed = time.perf_counter() - started
    console.print(f"accepted {total.accepted}, duplicates {total.duplicates}, "
                  f"rejected {len(total.rejected)} in {elapsed:.1f}s "
                  f"({len(lines) / elapsed if elapsed else 0:,.0f} events/s)")
    for rejection in total.rejected[:20]:
        console.print(f"  line {rejection.index + 1}: {rejection.reason}: {rejection.detail}")
    if len(total.rejected) > 20:
        console.print(f"  ... and {len(total.rejected) - 20} more")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    chunk: Annotated[int, typer.Option(min=1, max=10_000, help="Events per transaction.")] = 5000,
    pipeline: Annotated[bool, typer.Option(help="Check the next chunk while the last one is "
                                           "written (same result, faster).")] = True,
) -> None:
    """Load an NDJSON event file (one event per line) through the same path as the API."""
    _settings()
    lines = [line for line in file.read_bytes().splitlines() if line.strip()]
    _ingest_lines(lines, f"importing {file.name}", chunk, pipeline)


def load_demo() -> None:
    """Load the generated demo mall (idempotent: a second load only finds duplicates), then
    run ring detection once so the risk endpoints have something to show."""
    from graph.risk import detection, reads
    from lab.demo_mall import demo_mall

    events, labels = demo_mall()
    _ingest_lines([orjson.dumps(e) for e in events], "loading the demo mall", 2000)
    ring = labels["rings"][0]
    console.print(f"planted ring: {len(ring['members'])} accounts under {ring['organiser']} "
                  f"({', '.join(ring['members'][:4])}, ...)")
    result = detection.detect_and_store(seed=0, actor=_operator())
    found = reads.list_rings(0.0, 3, None)
    console.print(f"ring detection: {result['rings']} ring(s) over {result['users']} users"
                  + (f"; top {found[0]['ring_id']} scores {found[0]['score']:.2f} with "
                     f"{found[0]['size']} members" if found else ""))


@app.command()
def demo() -> None:
    """Load the demo mall into a running stack."""
    _settings()
    load_demo()


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder for events.ndjson and labels.json.")],
    users: Annotated[int, typer.Option(min=10)] = 100_000,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Write a generated mall with benign structure and labelled fraud rings: events.ndjson
    (load it with `tiergraph import`) and labels.json (for `tiergraph evaluate`)."""
    from lab.fraudgen import write_mall

    started = time.perf_counter()
    with console.status(f"generating {users:,} users, seed {seed}"):
        events_path, labels_path = write_mall(users, seed, out)
    labels = json.loads(labels_path.read_text())
    console.print(f"wrote {events_path} and {labels_path}: {len(labels['rings'])} rings, "
                  f"{time.perf_counter() - started:.1f} s")


@app.command()
def bench(
    users: Annotated[int, typer.Option(min=1000)] = 1_000_000,
    orders: Annotated[int, typer.Option(min=0)] = 200_000,
    lookups: Annotated[int, typer.Option(min=100)] = 5000,
    seed: Annotated[int, typer.Option()] = 1,
    keep: Annotated[bool, typer.Option(help="Leave the bench stack running.")] = False,
    suite: Annotated[str, typer.Option(help="platform (import, lookups vs PostgreSQL) or "
                                            "money (orders to rebates, payouts, settlement, "
                                            "simulation)")] = "platform",
    clients: Annotated[int, typer.Option(min=1, help="money: concurrent clients posting the "
                                                     "orders, as a mall's app servers do")] = 1,
    warmup: Annotated[int, typer.Option(min=0, help="money: at most this many orders sent "
                                                    "through the pipeline first, 20,000 at a "
                                                    "time until the JIT compilers take under "
                                                    "5% of Neo4j's CPU, so the sustained run "
                                                    "meets a compiled JVM")] = 200_000,
) -> None:
    """Benchmark on its own stack: `platform` against PostgreSQL, or `money`."""
    from contextlib import contextmanager

    from lab.bench import money
    from lab.bench.run import run as run_platform

    if suite not in ("platform", "money"):
        err.print("--suite is platform or money")
        raise typer.Exit(2)
    if suite == "platform":
        run = run_platform
    else:
        def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return money.run(*args, clients=clients, warmup=warmup, **kwargs)

    @contextmanager
    def progress(label: str, total: int):  # noqa: ANN202
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]:>9}/s"), TimeElapsedColumn())
        started = time.perf_counter()
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(label, total=total, rate="-")

            def advance(done: int) -> None:
                rate = done / (time.perf_counter() - started)
                bar.update(task, completed=done, rate=f"{rate:,.0f}")
            yield advance

    results = run(users, orders, lookups, seed, keep,
                  say=lambda m: console.print(f"[cyan]•[/cyan] {m}"), progress=progress)
    table = Table(title=f"tiergraph bench: {users:,} users, {orders:,} orders, seed {seed}")
    for column in ("measure", "per second", "p50 ms", "p99 ms", "us per item"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in results["rows"]:
        table.add_row(row["label"], f"{row['per_s']:,.0f}",
                      f"{row['p50_ms']:.3f}" if "p50_ms" in row else "",
                      f"{row['p99_ms']:.3f}" if "p99_ms" in row else "",
                      f"{row['us_per_item']:.1f}" if "us_per_item" in row else "")
    console.print(table)
    if "machine" in results:
        console.print(f"machine: {results['machine']}")
    if suite == "money" and "profile" in results:
        console.print(_profile_table(results["profile"]))
    elif "profile" in results:
        console.print(f"profile: {json.dumps(results['profile'])}")


def _profile_table(phases: dict[str, dict[str, Any]]) -> Table:
    """The money benchmark's in-process profile: per phase and Cypher statement, its share
    of the phase's wall time and the CPU Neo4j's query workers spent on it per order
    ("Neo4j µs/order"; "begin and commit" is theirs outside any statement)."""
    table = Table(title="where an order's time goes, in-process (lab/bench/money.py profile)")
    table.add_column("phase")
    table.add_column("statement", overflow="fold", min_width=26)
    for column in ("% of wall time", "Neo4j µs/order"):
        table.add_column(column, justify="right")
    for phase, figures in phases.items():
        shares, server = figures["share_of_wall_pct"], figures["neo4j_query_workers_us"]
        for name in [*shares, *(n for n in server if n not in shares)]:
            table.add_row(phase, name, f"{shares[name]:.1f}" if name in shares else "",
                          f"{server[name]:.1f}" if name in server else "")
        table.add_row(phase, "all (query workers)", "100.0",
                      f"{figures['neo4j_query_workers_us_per_order']:.0f}", end_section=True)
    return table


@app.command()
def detect(seed: Annotated[int, typer.Option(help="Seed of the community detection.")] = 0) -> None:
    """Find and score collusion rings in the running graph, store them and apply holds."""
    from graph.errors import DomainError
    from graph.risk import detection, reads

    _settings()
    columns = (TextColumn("[bold]{task.description:<20}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("starting", total=1.0)
            result = detection.detect_and_store(
                seed=seed, actor=_operator(),
                progress=lambda stage, f: bar.update(task, description=stage, completed=f))
    except DomainError as refused:
        err.print(f"[red]{refused.detail}[/red]")
        raise typer.Exit(1) from None
    console.print_json(data=result)
    for ring in reads.list_rings(0.0, 10, "open"):
        console.print(f"{ring['ring_id']}  score {ring['score']:.2f}  {ring['size']} members  "
                      f"{', '.join(ring['reasons'])}")


@app.command()
def evaluate(
    folder: Annotated[Path | None, typer.Argument(
        help="A folder written by `tiergraph generate` (events.ndjson, labels.json); "
             "without it, malls are generated for each --seed.")] = None,
    users: Annotated[int, typer.Option(min=100)] = 100_000,
    seed: Annotated[list[int] | None, typer.Option(help="Repeat for several seeds.")] = None,
    snapshots: Annotated[bool, typer.Option(help="Also detect on weekly snapshots, to measure "
                                                 "fraud held before it would be credited.")] = True,
) -> None:
    """Detection quality against labels: ring and member precision, recall and F1 per fraud
    kind and ring size, benign payouts held, fraud held before credit; beside the
    connected-components baseline."""
    from lab.bench.detection import methods, quality
    from lab.evaluation import MethodReport, evaluate as score, render_table, snapshot_rings, weekly_cutoffs
    from graph.risk.rings import projection_from_events

    if folder is None:
        seeds = seed or [1, 2, 3]
        with console.status(f"generating and evaluating {users:,} users, seeds {seeds}"):
            reports = quality(users, seeds, snapshots)
        console.print(f"{users:,} users, seeds {seeds}")
    else:
        events = [orjson.loads(line) for line in (folder / "events.ndjson").read_bytes().splitlines()
                  if line.strip()]
        labels = json.loads((folder / "labels.json").read_text())
        with console.status(f"evaluating {folder}"):
            detectors = methods(0)
            projection = projection_from_events(events)
            found = {name: method(projection) for name, method in detectors.items()}
            shots = snapshot_rings(events, weekly_cutoffs(events), detectors) if snapshots else None
            reports: dict[str, MethodReport] = score(events, labels, found, shots)
        console.print(f"{folder}: {len(events):,} events")
    print(render_table(reports))


@report_app.command("tiers")
def report_tiers(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """The tier report: max tier paid, violations, rules over the cap, cycles, digest."""
    from graph.compliance import tier_report

    _settings()
    report = tier_report()
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    else:
        table = Table(title="tiergraph tier report", show_header=False)
        for key, value in report.items():
            table.add_row(key, str(value))
        console.print(table)
    raise typer.Exit(0 if report["compliant"] else 1)


@report_app.command("verify")
def report_verify(path: Annotated[Path, typer.Argument(help="A saved tier report (JSON).")]) -> None:
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
    console.print(f"[red]report changed since it was digested[/red] (it claims {report['digest']})")
    raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; name the first broken entry (exit 1) or print the head."""
    from graph.audit import trail

    _settings()
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


@db_app.command("reset")
def db_reset(yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting everything.")] = False) -> None:
    """Delete every node and relationship of the graph (schema stays)."""
    from graph import db

    if not yes:
        err.print("refusing to delete the graph without --yes")
        raise typer.Exit(2)
    _settings()
    console.print(f"deleted {db.reset_database()} nodes")


if __name__ == "__main__":
    app()
