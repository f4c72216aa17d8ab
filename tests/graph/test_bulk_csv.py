"""graph/ingest/bulk.py without a database: the normal checks over a whole file, and the
neo4j-admin CSV rows they make (aggregated USED/SEEN_AT, final order state, arrays)."""

import csv
from datetime import UTC, datetime

import orjson

from graph.ingest import bulk


def lines_of(*events: dict) -> list[bytes]:
    return [orjson.dumps(e) for e in events]


def rows(folder, stem: str) -> list[dict[str, str]]:
    with (folder / f"{stem}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


EVENTS = lines_of(
    {"type": "user_registered", "user_id": "a", "at": "2025-01-01T08:00:00+08:00"},
    {"type": "user_registered", "user_id": "b", "invited_by": "a", "level": 2,
     "at": "2025-01-02T00:00:00Z"},
    {"type": "session", "user_id": "b", "device_id": "d1", "ip": "10.0.0.1",
     "at": "2025-01-03T00:00:00Z"},
    {"type": "order_paid", "order_id": "o1", "user_id": "b", "amount_cents": 300,
     "currency": "CNY", "device_id": "d1", "payment_account": "p1",
     "items": [{"sku": "s1", "amount_cents": 100},
               {"sku": "s2", "category": "home", "amount_cents": 200}],
     "at": "2025-01-02T12:00:00Z"},
    {"type": "order_completed", "order_id": "o1", "at": "2025-01-05T00:00:00Z"},
    {"type": "order_refunded", "order_id": "o1", "refund_id": "r1", "amount_cents": 300,
     "at": "2025-01-06T00:00:00Z"},
    {"type": "session", "user_id": "nobody", "at": "2025-01-03T00:00:00Z"},
)


def test_checks_span_chunks_and_rows_are_what_the_cypher_writes(tmp_path):
    checker = bulk.Checker()
    writer = bulk.CsvWriter(tmp_path, now=datetime(2026, 1, 1, tzinfo=UTC))
    lines = [*EVENTS, b"{not json", EVENTS[2]]
    for start, part in bulk.chunks(lines, 2):  # the order's buyer registered two chunks before
        writer.add(checker.check(part, start))
    files = writer.finish()

    result = checker.result
    assert (result.accepted, result.duplicates) == (6, 1)
    assert [(r.index, r.reason) for r in result.rejected] == [(6, "unknown_user"),
                                                              (7, "malformed_json")]
    users = rows(tmp_path, "users")
    assert [(u["id:ID(User)"], u["level:long"]) for u in users] == [("a", "0"), ("b", "2")]
    assert users[0]["registered_at:datetime"] == "2025-01-01T00:00:00+00:00"
    assert [list(r.values())[:2] for r in rows(tmp_path, "invited")] == [["a", "b"]]
    (order,) = rows(tmp_path, "orders")
    assert order["status"] == "refunded" and order["refunded_cents:long"] == "300"
    assert order["completed_at:datetime"] == "2025-01-05T00:00:00+00:00"
    assert order["item_categories:string[]"] == ";home"  # an item without category is ""
    assert order["item_amounts:long[]"] == "100;200"
    # the session and the order both count on b's USED edge to d1, earliest first
    (used,) = rows(tmp_path, "used")
    assert (used["first_at:datetime"], used["last_at:datetime"], used["count:long"]) == (
        "2025-01-02T12:00:00+00:00", "2025-01-03T00:00:00+00:00", "2")
    assert [r["count:long"] for r in rows(tmp_path, "seen_at")] == ["1"]
    assert [r["id:ID(PaymentAccount)"] for r in rows(tmp_path, "payment_accounts")] == ["p1"]
    assert rows(tmp_path, "ips") == [{"addr:ID(IP)": "10.0.0.1"}]
    assert ("REFUNDED_BY", tmp_path / "refunded_by.csv") in files.relationships
    assert writer.order_ids() == ["o1"]


def test_a_partial_refund_leaves_a_completed_order_completed(tmp_path):
    checker = bulk.Checker()
    writer = bulk.CsvWriter(tmp_path)
    partial = orjson.loads(EVENTS[5]) | {"amount_cents": 100}
    writer.add(checker.check([*EVENTS[:5], orjson.dumps(partial)], 0))
    writer.finish()
    (order,) = rows(tmp_path, "orders")
    assert (order["status"], order["refunded_cents:long"]) == ("completed", "100")


def test_carried_nodes_keep_their_labels_and_typed_properties(tmp_path):
    files = bulk.CsvFiles()
    nodes = [{"id": "4:x:1", "labels": ["Rule"], "props": {
        "id": "default", "active": True, "rates": [0.1, 0.05],
        "at": datetime(2026, 1, 1, tzinfo=UTC)}},
        {"id": "4:x:2", "labels": ["AuditHead"], "props": {"id": "head", "seq": 3}}]
    rels = [{"start": "4:x:2", "end": "4:x:1", "type": "POINTS_AT", "props": {}}]
    assert bulk.carried(tmp_path, files, nodes, rels) == 3
    by_label = {label: path for label, path in files.nodes}
    with by_label["Rule"].open() as handle:
        header, row = list(csv.reader(handle))
    assert header == [":ID(Carried)", "active:boolean", "at:datetime", "id:string",
                      "rates:double[]"]
    assert row == ["4:x:1", "true", "2026-01-01T00:00:00+00:00", "default", "0.1;0.05"]
    assert [kind for kind, _ in files.relationships] == ["POINTS_AT"]
