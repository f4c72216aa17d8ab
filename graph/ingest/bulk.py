"""The bulk first load (`tiergraph import --bulk`): an event file checked exactly as
`tiergraph import` checks it into an empty store, then written as CSV files for
`neo4j-admin database import full` (infra/bulk_import.py runs it).

The check is the normal one (graph.ingest.checks) against one state that grows over the
whole file, as the pipelined import's does; nothing is read from the graph, which is empty.
The CSV files hold the nodes and relationships the cypher/events/write_*.cypher and
order_links_*.cypher statements would create for the accepted events: same labels,
property names and types, USED and SEEN_AT aggregated (first_at, last_at, count) over
sessions and orders. Write-time stamps (touched_at, received_at, the invite's created_at)
are the moment the files are written. Orders are left uncomputed (rebates_computed false)
for the rebate tasks and the sweep, as after a normal import. Pure: no database here but
`carried` (the nodes a store without users already holds, kept across the overwrite) and
`settle_levels` (each user's current level, once its level changes are imported).
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from graph import db
from graph.ingest import checks
from graph.ingest.batch import IngestResult, split
from graph.ingest.events import parse_line
from graph.ingest.store import Plan, Stored

ARRAY_DELIMITER = ";"  # ids and categories never hold it (events.ID_PATTERN, Item.category)


class Checker:
    """The normal import's parse and check, chunk after chunk, over one growing state."""

    def __init__(self) -> None:
        self.stored = Stored({}, {}, {}, set())
        self.result = IngestResult()

    def check(self, lines: list[bytes], start: int) -> Plan:
        """Check the lines that start at line index `start`; answers the rows to write and
        folds the outcomes (rejections by 0-based line index) into `result`."""
        events, parse_rejections = split([parse_line(i, line) for i, line in enumerate(lines)])
        result = IngestResult(rejected=list(parse_rejections))
        plan = Plan()
        for index, outcome in checks.check_events(events, self.stored, plan):
            result.count(index, outcome)
        result.rejected.sort(key=lambda r: r.index)
        self.result.merge(result, offset=start)
        return plan


# What each CSV file holds: (file stem, label or type, header). Ids live in per-label id
# spaces, so the `id` property is the node's import id as well.
NODE_FILES = {
    "users": ("User", ["id:ID(User)", "registered_at:datetime", "level:long", "phone_enc",
                       "phone_hash", "fp", "touched_at:datetime"]),
    "sessions": ("Session", ["id:ID(Session)", "at:datetime", "user_id"]),
    "orders": ("Order", ["id:ID(Order)", "amount_cents:long", "refunded_cents:long", "currency",
                         "status", "paid_at:datetime", "received_at:datetime", "user_id",
                         "item_skus:string[]", "item_categories:string[]",
                         "item_amounts:long[]", "fp", "rebates_computed:boolean",
                         "completed_at:datetime"]),
    "refunds": ("Refund", ["id:ID(Refund)", "order_id", "amount_cents:long", "at:datetime",
                           "fp"]),
    "devices": ("Device", ["id:ID(Device)"]),
    "ips": ("IP", ["addr:ID(IP)"]),
    "payment_accounts": ("PaymentAccount", ["id:ID(PaymentAccount)"]),
    "addresses": ("Address", ["id:ID(Address)"]),
    "level_changes": ("LevelChange", ["id:ID(LevelChange)", "user_id", "level:long",
                                      "at:datetime", "created_at:datetime"]),
}
_SEEN = ["first_at:datetime", "last_at:datetime", "count:long"]
RELATIONSHIP_FILES = {
    "invited": ("INVITED", ["User", "User", "at:datetime", "created_at:datetime"]),
    "used": ("USED", ["User", "Device", *_SEEN]),
    "seen_at": ("SEEN_AT", ["User", "IP", *_SEEN]),
    "placed": ("PLACED", ["User", "Order"]),
    "from_device": ("FROM_DEVICE", ["Order", "Device"]),
    "from_ip": ("FROM_IP", ["Order", "IP"]),
    "paid_with": ("PAID_WITH", ["Order", "PaymentAccount"]),
    "ships_to": ("SHIPS_TO", ["Order", "Address"]),
    "refunded_by": ("REFUNDED_BY", ["Order", "Refund"]),
    "level_changed": ("LEVEL_CHANGED", ["User", "LevelChange"]),
}


def _relationship_header(spec: list[str]) -> list[str]:
    return [f":START_ID({spec[0]})", f":END_ID({spec[1]})", *spec[2:]]


@dataclass
class CsvFiles:
    """The files written, for neo4j-admin: (label or type, path) of nodes and relationships."""

    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    rows: int = 0


class CsvWriter:
    """Writes the checked plans of a file, chunk by chunk, as neo4j-admin CSV files in
    `folder`; `finish` writes what is only known at the end (orders with their refunds and
    completions, the shared nodes, the aggregated USED and SEEN_AT edges)."""

    def __init__(self, folder: Path, now: datetime | None = None) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.now = (now or datetime.now(UTC)).isoformat()
        self._handles: dict[str, TextIO] = {}
        self._writers: dict[str, Any] = {}
        self.files = CsvFiles()
        for stem, (label, header) in NODE_FILES.items():
            self._open(stem, header)
            self.files.nodes.append((label, self._path(stem)))
        for stem, (kind, spec) in RELATIONSHIP_FILES.items():
            self._open(stem, _relationship_header(spec))
            self.files.relationships.append((kind, self._path(stem)))
        # order id -> its row, completed when the file ends (refunds, completion)
        self.orders: dict[str, list[Any]] = {}
        self.seen: dict[str, dict[tuple[str, str], list[Any]]] = {"used": {}, "seen_at": {}}
        self.shared: dict[str, set[str]] = {stem: set() for stem in
                                             ("devices", "ips", "payment_accounts", "addresses")}

    def _path(self, stem: str) -> Path:
        return self.folder / f"{stem}.csv"

    def _open(self, stem: str, header: list[str]) -> None:
        handle = self._path(stem).open("w", newline="", encoding="utf-8")
        self._handles[stem] = handle
        self._writers[stem] = csv.writer(handle, lineterminator="\n")
        self._writers[stem].writerow(header)

    def _row(self, stem: str, row: list[Any]) -> None:
        self._writers[stem].writerow(row)
        self.files.rows += 1

    def _saw(self, stem: str, user_id: str, other: str, at: str) -> None:
        # first_at/last_at/count as write_sessions and order_links_* leave them; the times
        # are UTC ISO strings of one form, so they compare as strings
        entry = self.seen[stem].get((user_id, other))
        if entry is None:
            self.seen[stem][(user_id, other)] = [at, at, 1]
            return
        entry[0], entry[1], entry[2] = min(entry[0], at), max(entry[1], at), entry[2] + 1

    def add(self, plan: Plan) -> None:
        """The rows of one checked chunk (store._write's statements, in its order)."""
        for r in plan.users:
            self._row("users", [r["user_id"], r["at"], r["level"], r["phone_enc"],
                                r["phone_hash"], r["fp"], self.now])
            if r["invited_by"]:
                self._row("invited", [r["invited_by"], r["user_id"], r["at"], self.now])
        for r in plan.sessions:
            self._row("sessions", [r["id"], r["at"], r["user_id"]])
            if r["device_id"] is not None:
                self.shared["devices"].add(r["device_id"])
                self._saw("used", r["user_id"], r["device_id"], r["at"])
            if r["ip"] is not None:
                self.shared["ips"].add(r["ip"])
                self._saw("seen_at", r["user_id"], r["ip"], r["at"])
        for r in plan.orders:
            self.orders[r["order_id"]] = [
                r["order_id"], r["amount_cents"], 0, "CNY", "paid", r["at"], self.now,
                r["user_id"], _array(r["skus"]), _array(r["categories"]),
                _array(r["item_amounts"]), r["fp"], "false", None]
            self._row("placed", [r["user_id"], r["order_id"]])
            for key, stem, link in (("device_id", "devices", "from_device"),
                                    ("ip", "ips", "from_ip"),
                                    ("payment_account", "payment_accounts", "paid_with"),
                                    ("shipping_address", "addresses", "ships_to")):
                if r[key] is not None:
                    self.shared[stem].add(r[key])
                    self._row(link, [r["order_id"], r[key]])
            if r["device_id"] is not None:
                self._saw("used", r["user_id"], r["device_id"], r["at"])
            if r["ip"] is not None:
                self._saw("seen_at", r["user_id"], r["ip"], r["at"])
        for r in plan.refunds:
            self._row("refunds", [r["refund_id"], r["order_id"], r["amount_cents"], r["at"],
                                  r["fp"]])
            self._row("refunded_by", [r["order_id"], r["refund_id"]])
            self.orders[r["order_id"]][2] += r["amount_cents"]
        for r in plan.completions:
            self.orders[r["order_id"]][13] = r["at"]
        for r in plan.levels:  # users' current level: settle_levels, after the import
            self._row("level_changes", [r["id"], r["user_id"], r["level"], r["at"], self.now])
            self._row("level_changed", [r["user_id"], r["id"]])

    def finish(self) -> CsvFiles:
        """Write the orders, shared nodes and aggregated edges; close every file."""
        for row in self.orders.values():
            # write_refunds and write_completions in any order leave this status
            if row[2] >= row[1]:
                row[4] = "refunded"
            elif row[13] is not None:
                row[4] = "completed"
            self._row("orders", row)
        for stem, ids in self.shared.items():
            for value in sorted(ids):
                self._row(stem, [value])
        for stem, seen in self.seen.items():
            for (user_id, other), (first, last, count) in seen.items():
                self._row(stem, [user_id, other, first, last, count])
        self.close()
        return self.files

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()

    def order_ids(self) -> list[str]:
        """The orders written, for the rebate tasks."""
        return list(self.orders)


def _array(values: list[Any]) -> str:
    return ARRAY_DELIMITER.join(str(v) for v in values)


# --- what a store without users already holds ----------------------------------------------

_TYPES: list[tuple[type, str]] = [(bool, "boolean"), (int, "long"), (float, "double"),
                                  (str, "string"), (datetime, "datetime"), (date, "date")]


def _csv_type(value: Any) -> str | None:
    """The neo4j-admin column type of a property value, or None when it has none here."""
    native = db.to_native(value)
    if isinstance(native, list):
        kinds = {_csv_type(v) for v in native}
        kind = kinds.pop() if len(kinds) == 1 else None
        return f"{kind}[]" if kind is not None and not kind.endswith("[]") else None
    for python_type, name in _TYPES:  # bool before int: a bool is an int to Python
        if isinstance(native, python_type):
            return name
    return None


def _csv_value(value: Any) -> Any:
    native = db.to_native(value)
    if isinstance(native, list):
        return ARRAY_DELIMITER.join(str(_csv_value(v)) for v in native)
    if isinstance(native, bool):
        return "true" if native else "false"
    if isinstance(native, datetime | date):
        return native.isoformat()
    return native


def carried(folder: Path, files: CsvFiles, nodes: list[dict[str, Any]],
            relationships: list[dict[str, Any]]) -> int:
    """Add CSV files for the nodes and relationships a store without users holds already
    (rules, API keys, audit entries...; rows of `cypher/bulk/carried_*.cypher`), so that the
    overwrite keeps them. Answers how many were carried; raises ValueError for a property
    neo4j-admin cannot take (a map, a mixed list, a point...)."""
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    headers: dict[tuple[str, ...], list[str]] = {}
    for n in nodes:
        props = sorted(n["props"].items())
        kinds = [_csv_type(v) for _, v in props]
        if None in kinds:
            raise ValueError(f"a {':'.join(n['labels'])} node holds a property neo4j-admin "
                             "cannot import; load this store with `tiergraph import`")
        key = ("node", ":".join(sorted(n["labels"])), *(f"{k}:{t}" for (k, _), t in
                                                         zip(props, kinds, strict=True)))
        headers[key] = [":ID(Carried)", *key[2:]]  # an id column stored as no property
        groups.setdefault(key, []).append([n["id"], *(_csv_value(v) for _, v in props)])
    for r in relationships:
        props = sorted(r["props"].items())
        kinds = [_csv_type(v) for _, v in props]
        if None in kinds:
            raise ValueError(f"a {r['type']} relationship holds a property neo4j-admin "
                             "cannot import; load this store with `tiergraph import`")
        key = ("rel", r["type"], *(f"{k}:{t}" for (k, _), t in zip(props, kinds, strict=True)))
        headers[key] = [":START_ID(Carried)", ":END_ID(Carried)", *key[2:]]
        groups.setdefault(key, []).append([r["start"], r["end"],
                                           *(_csv_value(v) for _, v in props)])
    for number, (key, rows) in enumerate(groups.items()):
        path = folder / f"carried_{number}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, lineterminator="\n")
            out.writerow(headers[key])
            out.writerows(rows)
        (files.nodes if key[0] == "node" else files.relationships).append((key[1], path))
    return len(nodes) + len(relationships)


def read_carried() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and relationships the store holds now (it has no users: a few rules,
    keys and audit entries), for `carried`."""
    return db.read_query("bulk.carried_nodes"), db.read_query("bulk.carried_relationships")


def settle_levels() -> int:
    """After the import: each user with level changes gets the level of its latest (and
    keeps its registration level as base_level), as events.write_levels leaves it. Answers
    how many users changed."""
    return int(db.write_query("bulk.settle_levels")[0]["users"])


def store_has_users() -> bool:
    """Whether any User node is stored (the bulk load wants a store without them)."""
    return bool(db.read_query("bulk.users_present")[0]["present"])


def chunks(lines: list[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    """The lines `size` at a time, with the index of each chunk's first line."""
    for start in range(0, len(lines), size):
        yield start, lines[start:start + size]
