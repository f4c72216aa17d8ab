"""The audit log: an append-only, hash-chained list of who did what.

Entries are appended in the caller's write transaction, sealed in the audit store once it
commits, and verified against their seals (docs/design.md, "Audit and compliance evidence").
"""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph import db
from graph.audit import seals

log = logging.getLogger(__name__)

GENESIS = "0" * 64
FIELDS = ("seq", "actor", "role", "action", "target", "before", "after", "at", "request_id")
# Fields added since the first entries: hashed only when set, so entries written before them
# keep the hash they were sealed with.
LATER_FIELDS = ("caller_request_id",)
STORED = (*FIELDS, *LATER_FIELDS, "prev_hash", "hash")
_appended = threading.local()  # set by append, cleared once the entries are sealed
# The request being served (the API binds it): the server's id for it and the caller's own
# X-Request-ID, so every entry a request appends carries both without each caller passing them.
_request: ContextVar[tuple[str | None, str | None]] = ContextVar("audit_request",
                                                                 default=(None, None))


def bind_request(request_id: str, caller_request_id: str | None) -> Token[Any]:
    """Mark the code that follows as serving one request (ids as the API assigned them)."""
    return _request.set((request_id, caller_request_id))


def unbind_request(token: Token[Any]) -> None:
    """End what `bind_request` began."""
    _request.reset(token)


def _canonical(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """sha256 over the previous hash and the entry's fields (a fixed order, JSON-encoded;
    each of LATER_FIELDS by name, when set)."""
    values: list[Any] = [prev_hash, *[entry.get(f) for f in FIELDS]]
    values += [[f, entry[f]] for f in LATER_FIELDS if entry.get(f) is not None]
    return hashlib.sha256(orjson.dumps(values)).hexdigest()


def append(tx: ManagedTransaction, *, actor: str, role: str, action: str, target: str,
           before: Any = None, after: Any = None, request_id: str | None = None) -> int:
    """Append one entry in the caller's transaction; returns its seq. `request_id` is the
    server's id of the request (by default the bound one); the caller's own is kept beside."""
    bound_id, caller_request_id = _request.get()
    if request_id is not None and request_id != bound_id:  # on behalf of another request
        caller_request_id = None
    head = db.run(tx, "audit.lock_head")[0]
    entry = {"seq": head["seq"] + 1, "actor": actor, "role": role, "action": action,
             "target": target, "before": _canonical(before), "after": _canonical(after),
             "at": datetime.now(UTC).isoformat(), "request_id": request_id or bound_id,
             "caller_request_id": caller_request_id}
    digest = entry_hash(head["hash"], entry)
    _appended.pending = True
    return int(db.run(tx, "audit.append", entry=entry, hash=digest)[0]["seq"])


def seal() -> int:
    """Seal, in the audit store, every graph entry after the last sealed one; returns how many.

    An entry is sealed only if it follows the sealed chain (next seq, prev_hash equal to the
    last sealed hash): one that does not has been tampered with, and is left to `verify`.
    """
    sealed = 0
    last_seq, last_hash = seals.last_sealed()
    while True:
        rows = db.read_query("audit.page", after=last_seq, limit=500)
        for row in rows:
            if row["seq"] != last_seq + 1 or row["prev_hash"] != (last_hash or GENESIS):
                log.error("audit entry %s does not follow the sealed log (sealed up to %s): "
                          "not sealed; run `tiergraph audit verify`", row["seq"], last_seq)
                return sealed
            if seals.seal({k: row[k] for k in STORED}):
                sealed += 1
                last_seq, last_hash = row["seq"], row["hash"]
            else:  # another process sealed it first: go on from what the store now holds
                last_seq, last_hash = seals.last_sealed()
                break
        else:
            if len(rows) < 500:
                return sealed


def _seal_after_commit() -> None:
    """After a write transaction that appended entries: seal them now. A store that cannot
    be reached leaves them in the graph for the periodic `audit.seal` task."""
    if not getattr(_appended, "pending", False):
        return
    _appended.pending = False
    try:
        seal()
    except Exception as error:  # the write has committed: never fail it for the seal
        log.warning("audit entries left unsealed for now: %s", error)


db.after_commit(_seal_after_commit)


def page(after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries after seq `after`, oldest first."""
    rows = db.read_query("audit.page", after=after, limit=limit)
    for row in rows:
        for key in ("before", "after"):
            row[key] = orjson.loads(row[key]) if row[key] is not None else None
    return rows


def _batches(fetch: Callable[[int, int], list[dict[str, Any]]],
             batch: int) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = fetch(after, batch)
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


def verify(batch: int = 1000) -> dict[str, Any]:
    """Check the log: {ok, entries, sealed, first_broken (seq or None), problem, head_hash}.

    1. The sealed chain recomputes (seq 1, 2, ... with matching prev_hash and hash).
    2. Every sealed entry is in the graph, unchanged.
    3. The graph's entries after the last sealed one continue the chain.
    4. The graph's head records the last entry (cutting the unsealed tail shows here).
    """
    try:
        sealed_entries = _batches(lambda a, n: seals.sealed(a, n), batch)
        graph_entries = _batches(lambda a, n: db.read_query("audit.page", after=a, limit=n), batch)
        return _walk(sealed_entries, graph_entries)
    except seals.AuditStoreError as error:
        return _broken(0, 0, None, f"cannot verify: {error}")


def _walk(sealed_entries: Iterator[dict[str, Any]],
          graph_entries: Iterator[dict[str, Any]]) -> dict[str, Any]:
    seq, running, sealed = 0, GENESIS, 0
    graph_row = next(graph_entries, None)
    for sealed_row in sealed_entries:
        seq += 1
        if sealed_row["seq"] != seq:
            return _broken(seq - 1, sealed, seq, f"the audit store lacks entries {seq}.."
                           f"{sealed_row['seq'] - 1} (removed with its administrator account)")
        if sealed_row["stream_id"] != f"{seq}-1":
            return _broken(seq - 1, sealed, seq, f"the audit store holds {sealed_row['stream_id']} "
                           f"where entry {seq} belongs (appended outside the audit log)")
        if (sealed_row["prev_hash"] != running
                or entry_hash(running, sealed_row) != sealed_row["hash"]):
            return _broken(seq - 1, sealed, seq, "the sealed entry does not match its hash "
                           "(changed in the audit store)")
        if graph_row is None or graph_row["seq"] != seq:
            return _broken(seq - 1, sealed, seq, f"entry {seq} was deleted from the graph "
                           "(its sealed copy remains)")
        changed = [k for k in STORED if graph_row.get(k) != sealed_row.get(k)]
        if changed:
            return _broken(seq - 1, sealed, seq, f"entry {seq} was edited in the graph "
                           f"({', '.join(changed)} differ from its sealed copy)")
        running, sealed = sealed_row["hash"], sealed + 1
        graph_row = next(graph_entries, None)
    while graph_row is not None:  # entries not sealed yet: the chain alone vouches for them
        seq += 1
        if graph_row["seq"] != seq:
            return _broken(seq - 1, sealed, seq,
                           f"entries {seq}..{graph_row['seq'] - 1} are missing (deleted)")
        if graph_row["prev_hash"] != running:
            return _broken(seq - 1, sealed, seq, "prev_hash does not match the entry before it")
        if entry_hash(running, graph_row) != graph_row["hash"]:
            return _broken(seq - 1, sealed, seq, "content does not match its hash (edited)")
        running = graph_row["hash"]
        graph_row = next(graph_entries, None)
    head = db.read_query("audit.head")
    head_seq, head_hash = (head[0]["seq"], head[0]["hash"]) if head else (0, GENESIS)
    if head_seq == seq:
        tail_kept = head_hash == running
    else:  # an entry appended while this ran is past what was read; anything else was cut
        later = db.read_query("audit.page", after=seq, limit=1) if head_seq > seq else []
        tail_kept = bool(later) and later[0]["seq"] == seq + 1 and later[0]["prev_hash"] == running
    if not tail_kept:
        return _broken(seq, sealed, seq + 1,
                       f"the head records {head_seq} entries ending in {head_hash[:12]}; "
                       f"the log holds {seq} (entries at the end were deleted)")
    return {"ok": True, "entries": seq, "sealed": sealed, "first_broken": None, "problem": None,
            "head_hash": running}


def _broken(checked: int, sealed: int, seq: int | None, problem: str) -> dict[str, Any]:
    return {"ok": False, "entries": checked, "sealed": sealed, "first_broken": seq,
            "problem": problem, "head_hash": None}
