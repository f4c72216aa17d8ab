"""Commands on the graph's data: import events, generate a labelled mall, detect rings and
evaluate detection against labels."""

import json
import time
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.console import console, err, load_settings, shell_actor
from graph.errors import DomainError

# The graph, worker and lab modules are imported inside the commands: they load the Neo4j
# driver, Celery and networkx, which `tiergraph --help` should not wait for.


def ingest_with_progress(lines: list[bytes], label: str, chunk: int,
                         pipelined: bool = True) -> None:
    """Import NDJSON lines in chunks with a progress bar showing events per second."""
    from graph.ingest.batch import IngestResult
    from graph.ingest.pipeline import ingest_lines
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
    print_rejections(total.rejected)


def print_rejections(rejected: list[Any]) -> None:
    """The rejected-lines report: the first 20 bad lines by number and reason."""
    for rejection in rejected[:20]:
        console.print(f"  line {rejection.index + 1}: {rejection.reason}: {rejection.detail}")
    if len(rejected) > 20:
        console.print(f"  ... and {len(rejected) - 20} more")


def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    chunk: Annotated[int, typer.Option(min=1, max=10_000, help="Events per transaction.")] = 5000,
    pipeline: Annotated[bool, typer.Option(help="Check the next chunk while the last one is "
                                           "written (same result, faster).")] = True,
    bulk: Annotated[bool, typer.Option(help="First load of an empty store: the same checks, "
                                       "then neo4j-admin writes the graph (Neo4j restarts).")]
    = False,
) -> None:
    """Load an NDJSON event file (one event per line) through the same path as the API."""
    settings = load_settings()
    lines = [line for line in file.read_bytes().splitlines() if line.strip()]
    if bulk:
        bulk_load(lines, file.name, chunk, settings.data_dir / "bulk-import")
        return
    ingest_with_progress(lines, f"importing {file.name}", chunk, pipeline)


def bulk_load(lines: list[bytes], name: str, chunk: int, work: Path) -> None:
    """`tiergraph import --bulk`: check the lines as the normal import does into an empty
    store, write neo4j-admin CSV files (graph/ingest/bulk.py), then stop Neo4j, import them
    and start it again (infra/bulk_import.py); the new orders go to the rebate tasks."""
    import shutil

    from graph import redis_clients
    from graph.ingest import bulk
    from graph.risk import schedule
    from infra import bulk_import
    from workers.enqueue import enqueue_rebates

    def refuse_unless_empty() -> None:
        if bulk.store_has_users():
            err.print("[red]--bulk loads an empty store only, and this one holds users: "
                      "nothing was imported. Use `tiergraph import` without --bulk.[/red]")
            raise typer.Exit(1)

    refuse_unless_empty()
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    checker, writer = bulk.Checker(), bulk.CsvWriter(work / "csv")
    spent = {"check": 0.0, "csv": 0.0}
    columns = (TextColumn("[bold]{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>9} events/s"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        checking = progress.add_task(f"checking {name}", total=len(lines), rate="-")
        writing = progress.add_task("writing CSV", total=len(lines), rate="-")
        for start, part in bulk.chunks(lines, chunk):
            t0 = time.perf_counter()
            plan = checker.check(part, start)
            t1 = time.perf_counter()
            writer.add(plan)
            t2 = time.perf_counter()
            spent["check"] += t1 - t0
            spent["csv"] += t2 - t1
            done = start + len(part)
            progress.update(checking, completed=done, rate=f"{done / spent['check']:,.0f}")
            progress.update(writing, completed=done, rate=f"{done / spent['csv']:,.0f}")
        t0 = time.perf_counter()
        files = writer.finish()
        spent["csv"] += time.perf_counter() - t0
        progress.update(writing, rate=f"{len(lines) / spent['csv']:,.0f}")
    total = checker.result
    console.print(f"accepted {total.accepted}, duplicates {total.duplicates}, "
                  f"rejected {len(total.rejected)}; {files.rows:,} CSV rows")
    print_rejections(total.rejected)
    refuse_unless_empty()  # once more: a writer may have come while the files were written
    try:
        nodes, relationships = bulk.read_carried()
        carried = bulk.carried(work / "csv", files, nodes, relationships)
    except ValueError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    console.print(f"carrying over {carried} nodes and relationships already stored")
    t0 = time.perf_counter()
    admin_columns = (TextColumn("[bold]{task.description:<24}"), BarColumn(),
                     TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    try:
        with Progress(*admin_columns, console=console) as progress:
            task = progress.add_task("neo4j-admin", total=1.0)
            spent["admin"] = bulk_import.import_csv(
                load_settings(), files.nodes, files.relationships, work,
                say=lambda m: progress.console.print(f"[cyan]•[/cyan] {m}"),
                progress=lambda stage, f: progress.update(task, description=stage,
                                                          completed=f))
    except bulk_import.BulkImportError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    spent["restart"] = time.perf_counter() - t0 - spent["admin"]
    bulk.settle_levels()
    redis_clients.uplines_changed()  # no process may answer from uplines cached before
    order_ids = writer.order_ids()
    enqueue_rebates(order_ids)  # as the normal import does after each chunk
    schedule.note_written(total.accepted)
    shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    count = len(lines)
    for phase, seconds in (("check", spent["check"]), ("CSV", spent["csv"]),
                           ("neo4j-admin", spent["admin"]),
                           ("Neo4j stop, start and schema", spent["restart"]),
                           ("total", elapsed)):
        console.print(f"{phase}: {seconds:.1f}s, {count / seconds if seconds else 0:,.0f} "
                      "events/s")


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


def detect(
    seed: Annotated[int, typer.Option(help="Seed of the community detection.")] = 0,
    full: Annotated[bool, typer.Option(help="Detect every component, not only those "
                                            "touched since the last run.")] = False,
) -> None:
    """Find and score collusion rings in the running graph, store them and apply holds."""
    from graph.risk import detection, reads

    load_settings()
    columns = (TextColumn("[bold]{task.description:<20}"), BarColumn(),
               TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("starting", total=1.0)
            result = detection.detect_and_store(
                seed=seed, actor=shell_actor(), full=full,
                progress=lambda stage, f: bar.update(task, description=stage, completed=f))
    except DomainError as refused:
        err.print(f"[red]{refused.detail}[/red]")
        raise typer.Exit(1) from None
    console.print_json(data=result)
    for ring in reads.list_rings(0.0, 10, "open"):
        console.print(f"{ring['ring_id']}  score {ring['score']:.2f}  {ring['size']} members  "
                      f"{', '.join(ring['reasons'])}")


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
    from graph.risk.projection import projection_from_events
    from lab.bench.detection import methods, quality
    from lab.evaluation import MethodReport, render_table, snapshot_rings, weekly_cutoffs
    from lab.evaluation import evaluate as score

    if folder is None:
        seeds = seed or [1, 2, 3]
        with console.status(f"generating and evaluating {users:,} users, seeds {seeds}"):
            reports = quality(users, seeds, snapshots)
        console.print(f"{users:,} users, seeds {seeds}")
    else:
        events = [orjson.loads(line)
                  for line in (folder / "events.ndjson").read_bytes().splitlines()
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
