"""The audit log: an append-only, hash-chained list of who did what.

Each entry's hash covers the previous entry's hash and the entry's own content, so editing
an entry breaks its hash, deleting one breaks the chain (a gap in seq, a prev_hash that no
longer matches), and cutting the tail shows against the head, which records the last seq and
hash. `verify` recomputes the chain and names the first broken entry. Appends happen inside
the caller's write transaction: the audited change and its entry commit together.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph import db

GENESIS = "0" * 64
FIELDS = ("seq", "actor", "role", "action", "target", "before", "after", "at", "request_id")


def _canonical(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """sha256 over the previous hash and the entry's fields (a fixed order, JSON-encoded)."""
    body = orjson.dumps([prev_hash, *[entry.get(f) for f in FIELDS]])
    return hashlib.sha256(body).hexdigest()


def append(tx: ManagedTransaction, *, actor: str, role: str, action: str, target: str,
           before: Any = None, after: Any = None, request_id: str | None = None) -> int:
    """Append one entry in the caller's transaction; returns its seq."""
    head = db.run(tx, "audit.lock_head")[0]
    entry = {"seq": head["seq"] + 1, "actor": actor, "role": role, "action": action,
             "target": target, "before": _canonical(before), "after": _canonical(after),
             "at": datetime.now(UTC).isoformat(), "request_id": request_id}
    digest = entry_hash(head["hash"], entry)
    return int(db.run(tx, "audit.append", entry=entry, hash=digest)[0]["seq"])


def page(after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries after seq `after`, oldest first."""
    rows = db.read_query("audit.page", after=after, limit=limit)
    for row in rows:
        for key in ("before", "after"):
            row[key] = orjson.loads(row[key]) if row[key] is not None else None
    return rows


def verify(batch: int = 1000) -> dict[str, Any]:
    """Recompute the chain: {ok, entries, first_broken (seq or None), problem, head_hash}."""
    expected_seq, running = 1, GENESIS
    checked = 0
    after = 0
    while True:
        rows = db.read_query("audit.page", after=after, limit=batch)
        for row in rows:
            if row["seq"] != expected_seq:
                return _broken(checked, expected_seq,
                               f"entries {expected_seq}..{row['seq'] - 1} are missing (deleted)")
            if row["prev_hash"] != running:
                return _broken(checked, row["seq"], "prev_hash does not match the entry before it")
            if entry_hash(running, row) != row["hash"]:
                return _broken(checked, row["seq"], "content does not match its hash (edited)")
            running = row["hash"]
            expected_seq += 1
            checked += 1
        if len(rows) < batch:
            break
        after = rows[-1]["seq"]
    head = db.read_query("audit.head")
    head_seq, head_hash = (head[0]["seq"], head[0]["hash"]) if head else (0, GENESIS)
    if head_seq != checked or head_hash != running:
        return _broken(checked, checked + 1,
                       f"the head records {head_seq} entries ending in {head_hash[:12]}; "
                       f"the log holds {checked} (entries at the end were deleted)")
    return {"ok": True, "entries": checked, "first_broken": None, "problem": None,
            "head_hash": running}


def _broken(checked: int, seq: int, problem: str) -> dict[str, Any]:
    return {"ok": False, "entries": checked, "first_broken": seq, "problem": problem,
            "head_hash": None}
