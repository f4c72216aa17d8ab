"""The write of the bulk first load (`tiergraph import --bulk`): stop the local Neo4j, run
`neo4j-admin database import full` from the same Maven jars on CSV files written by
graph/ingest/bulk.py, start Neo4j again and apply the schema as start-up does.

The database's folders are moved aside before the import and put back if it fails, so a
failed load leaves the store as it was. Neo4j is started the way infra/stack.py starts it.
`empty_store` readies a store for such a load (the scale suite's start at each size).
"""

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from graph.settings import Settings
from infra import stack

ADMIN_MAIN = "org.neo4j.cli.AdminTool"  # the class bin/neo4j-admin runs
ADMIN_HEAP = "1g"  # the importer works off-heap (--max-off-heap-memory)
OFF_HEAP = "1G"  # a shared machine: far below neo4j-admin's default of 90% of free memory
# The progress lines neo4j-admin prints: a stage's heading, then dots with a percentage.
_STAGE = re.compile(r"\(\d\/\d\) ([A-Z][a-z]+(?: [a-z]+)*)")
_PERCENT = re.compile(r"(\d{1,3})%")


class BulkImportError(stack.StackError):
    """neo4j-admin refused or failed; the store was put back as it was."""


def admin_argv(paths: stack.Paths, database: str, nodes: list[tuple[str, Path]],
               relationships: list[tuple[str, Path]], report: Path) -> list[str]:
    """The java command running `neo4j-admin database import full` from the server's jars."""
    java = shutil.which("java") or "java"
    flags = [f for f in stack.JVM_FLAGS if f.startswith(("--add-opens", "--enable-native",
                                                          "-Dio.netty", "-Dlog4j2"))]
    return [
        java, f"-Xmx{ADMIN_HEAP}", *flags, "-cp", f"{paths.neo4j_lib.resolve()}/*", ADMIN_MAIN,
        # the database first: the repeatable --nodes/--relationships would take it as a file
        "database", "import", "full", database, "--overwrite-destination=true",
        f"--max-off-heap-memory={OFF_HEAP}", f"--report-file={report.resolve()}",
        *(f"--nodes={label}={path.resolve()}" for label, path in nodes),
        *(f"--relationships={kind}={path.resolve()}" for kind, path in relationships),
    ]


def _admin_env(paths: stack.Paths) -> dict[str, str]:
    import os

    home = paths.neo4j_home.resolve()
    return {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}


def _store_folders(paths: stack.Paths, database: str) -> list[Path]:
    data = paths.neo4j_home / "data"
    return [data / "databases" / database, data / "transactions" / database]


def import_csv(settings: Settings, nodes: list[tuple[str, Path]],
               relationships: list[tuple[str, Path]], work: Path,
               say: Callable[[str], None] = print,
               progress: Callable[[str, float], None] | None = None) -> float:
    """Stop Neo4j, import the CSV files into the configured database (overwriting it), start
    Neo4j and apply the schema. `progress(stage, fraction)` follows neo4j-admin's output.
    Raises BulkImportError (with the end of neo4j-admin's output) when the import fails;
    Neo4j runs again, on the store as it was, in every case. Answers neo4j-admin's seconds."""
    from graph import db

    paths = stack.Paths(settings.data_dir)
    database = settings.neo4j_database
    db.close_driver()
    say("stopping Neo4j for neo4j-admin")
    stack.stop_service(paths, "neo4j")
    kept = []
    for folder in _store_folders(paths, database):
        aside = folder.with_name(f"{folder.name}.before-bulk")
        if aside.exists():
            shutil.rmtree(aside)
        if folder.exists():
            folder.rename(aside)
            kept.append((folder, aside))
    started = time.perf_counter()
    try:
        _run_admin(admin_argv(paths, database, nodes, relationships,
                                     work / "import.report"), paths, progress)
    except BaseException:
        for folder, aside in kept:
            if folder.exists():
                shutil.rmtree(folder)
            aside.rename(folder)
        stack.start_neo4j(settings, paths, say)
        raise
    seconds = time.perf_counter() - started
    for _, aside in kept:
        shutil.rmtree(aside)
    _start_with_schema(settings, paths, say)
    return seconds


def empty_store(settings: Settings, say: Callable[[str], None] = print) -> None:
    """Stop Neo4j, remove the configured database's store and transaction logs, start Neo4j
    (which makes that database again, empty) and apply the schema and the default rule: a
    store ready for `tiergraph import --bulk` in seconds, where deleting a million users'
    graph node by node (`db.reset_database`) takes many minutes. The users and passwords
    (the system database) stay. The local stack's Neo4j only."""
    from graph import db

    paths = stack.Paths(settings.data_dir)
    db.close_driver()
    say("stopping Neo4j to empty its store")
    stack.stop_service(paths, "neo4j")
    for folder in _store_folders(paths, settings.neo4j_database):
        if folder.exists():
            shutil.rmtree(folder)
    _start_with_schema(settings, paths, say)


def _start_with_schema(settings: Settings, paths: stack.Paths,
                       say: Callable[[str], None]) -> None:
    """Start Neo4j on a new store and give it the schema and the default rule, as start-up
    does."""
    from graph import db
    from graph.rules.book import ensure_default_rule

    stack.start_neo4j(settings, paths, say)
    db.apply_schema()
    ensure_default_rule()


def _run_admin(argv: list[str], paths: stack.Paths,
               progress: Callable[[str, float], None] | None) -> str:
    """Run neo4j-admin, reporting its stages; answers the end of its output."""
    output: list[str] = []
    stage = "neo4j-admin"
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, env=_admin_env(paths), text=True,
                          bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            heading = _STAGE.search(line)
            if heading:
                stage = heading.group(1)
            percents = _PERCENT.findall(line)
            if progress is not None and (heading or percents):
                progress(stage, int(percents[-1]) / 100 if percents else 0.0)
        code = proc.wait()
    tail = "".join(output[-40:])
    if code != 0:
        raise BulkImportError(f"neo4j-admin database import failed (exit {code}); the store "
                              f"is as it was:\n{tail}")
    return tail
