"""Backup and restore of the local stack's data as one pair: Neo4j's store (the graph and
the ledger) and the sealed audit log, so that a restored pair verifies.

Neo4j community edition dumps and loads a database only while it is stopped: both commands
stop the local stack's Neo4j and start it again (the API and workers answer 503 meanwhile).
The dump is `neo4j-admin database dump` from the very jars the stack runs (AdminTool). The
audit store's stream is read with its administrator account while Neo4j is down, so every
sealed entry in the backup is in the dump (entries not sealed yet are carried by the graph's
own chain and sealed after a restore); a restore writes it back in order under the same ids.
"""

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph import db
from graph.audit import seals, trail
from graph.settings import Settings
from infra import stack

FORMAT = 1
MANIFEST = "manifest.json"
AUDIT_LOG = "audit-log.jsonl"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"  # neo4j-admin's entry point, in neo4j-command-line


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says what to look at."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def neo4j_admin(settings: Settings, paths: stack.Paths, *args: str) -> str:
    """Run `neo4j-admin ARGS` against the local store, from the stack's jars; its output."""
    home = paths.neo4j_home.resolve()
    if not (home / "conf" / "neo4j.conf").exists():
        raise BackupError(f"no local Neo4j store under {home}: start the stack once "
                          "(`tiergraph up`) before backing it up or restoring into it")
    classpath = f"{home / 'plugins'}/*:{paths.neo4j_lib.resolve()}/*"
    argv = [shutil.which("java") or "java", f"-Xmx{settings.neo4j_heap}", "-cp", classpath,
            ADMIN_TOOL, *args]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=home, check=False)
    if done.returncode != 0:
        raise BackupError(f"neo4j-admin {' '.join(args[:2])} failed "
                          f"(exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


@contextmanager
def neo4j_stopped(settings: Settings, paths: stack.Paths,
                  say: Callable[[str], None]) -> Iterator[None]:
    """Run the block with the local stack's Neo4j stopped; start it again after if it ran.
    Refuses a Neo4j that answers but was not started by this stack (a container, say)."""
    was_running = stack.running_pid(paths, "neo4j") is not None
    if not was_running and db.ping():
        raise BackupError(f"Neo4j answers at {settings.neo4j_uri} but was not started by this "
                          f"stack (data dir {paths.data}): back it up where it runs, with "
                          "its own neo4j-admin")
    db.close_driver()
    if was_running:
        say("stopping Neo4j: the API and workers answer 503 until it is back")
        stack.stop_service(paths, "neo4j")
    try:
        yield
    finally:
        if was_running:
            say("starting Neo4j again")
            stack.start_neo4j(settings, paths, say)


def backup(settings: Settings, target: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Write a backup into `target` (new or empty): the database dump, the sealed audit log
    and a manifest with each file's sha256. Returns the manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder: back up into a new one")
    paths = stack.Paths(settings.data_dir)
    if seals.ping():  # entries committed but not sealed yet: seal them while Neo4j answers
        trail.seal()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    database = settings.neo4j_database
    files = [AUDIT_LOG, f"{database}.dump"]
    try:
        with neo4j_stopped(settings, paths, say):
            say(f"copying the sealed audit log to {target / AUDIT_LOG}")
            entries = _write_log(target / AUDIT_LOG)
            say(f"dumping database {database!r} with neo4j-admin")
            neo4j_admin(settings, paths, "database", "dump", database,
                        f"--to-path={target.resolve()}")
    except BaseException:  # no half backup left behind to be taken for a whole one
        for name in files:
            (target / name).unlink(missing_ok=True)
        raise
    for name in files:
        (target / name).chmod(0o600)
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
                "neo4j_version": stack.NEO4J_VERSION, "database": database,
                "audit_entries": entries, "files": {n: _sha256(target / n) for n in files}}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    (target / MANIFEST).chmod(0o600)
    return manifest


def _write_log(path: Path) -> int:
    count = 0
    with path.open("w") as out:
        for stream_id, fields in seals.export_log():
            out.write(json.dumps({"id": stream_id, "fields": fields}, sort_keys=True) + "\n")
            count += 1
    return count


def _read_log(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open() as lines:
        for line in lines:
            entry = json.loads(line)
            yield entry["id"], entry["fields"]


def read_manifest(source: Path, settings: Settings) -> dict[str, Any]:
    """The manifest of the backup in `source`, its files checked against their sha256."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable backup manifest: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not a backup of format {FORMAT}")
    if manifest.get("database") != settings.neo4j_database:
        raise BackupError(f"the backup holds database {manifest.get('database')!r}, not "
                          f"TIERGRAPH_NEO4J_DATABASE={settings.neo4j_database!r}")
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or changed since the backup was taken")
    return manifest


def restore(settings: Settings, source: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Put the backup in `source` back: the database from its dump and the audit store's log
    from its copy, the log it replaces kept under the data dir. Returns the manifest."""
    manifest = read_manifest(source, settings)
    paths = stack.Paths(settings.data_dir)
    kept = paths.data / "restores" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept.mkdir(parents=True, exist_ok=True, mode=0o700)
    say(f"keeping the audit log being replaced in {kept / AUDIT_LOG}")
    _write_log(kept / AUDIT_LOG)  # also proves the administrator account works, before a stop
    with neo4j_stopped(settings, paths, say):
        say(f"loading database {manifest['database']!r} from {source} with neo4j-admin")
        neo4j_admin(settings, paths, "database", "load", manifest["database"],
                    f"--from-path={source.resolve()}", "--overwrite-destination=true")
        say(f"writing {manifest['audit_entries']} sealed audit entries back")
        try:
            seals.import_log(_read_log(source / AUDIT_LOG))
        except seals.AuditStoreError as error:
            raise BackupError(f"{error}; the log it was replacing is in {kept}") from None
    return manifest
