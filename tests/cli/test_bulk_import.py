"""`tiergraph import --bulk FILE`: the same checks and report as `tiergraph import`, the same
graph written by neo4j-admin into an empty store, rebates computed after it the same way.
Each bulk load stops and starts this stack's Neo4j (it runs again after)."""

import subprocess
import sys
import time
from collections import Counter
from typing import Any

import orjson
import pytest

from graph import db
from tests.conftest import NOT_LOCAL

pytestmark = pytest.mark.skipif(NOT_LOCAL, reason="restarts the local stack's Neo4j")

# Written at write time by either path, or by the rebate computation, so never the same twice.
STAMPS = {"touched_at", "received_at", "created_at", "lock_token", "rebates_computed",
          "rebates_computed_at"}


def run_import(path: Any, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", "import", str(path), *flags],
                          capture_output=True, text=True, timeout=600)


def mall_file(tmp_path: Any) -> Any:
    """A generated mall with bad lines among the good: malformed, unknown user, a replay,
    a refund over the order, an order with an item without category."""
    from lab.fraudgen import write_mall

    events_path, _ = write_mall(300, 7, tmp_path / "mall")
    lines = [line for line in events_path.read_bytes().splitlines() if line.strip()]
    buyer = orjson.loads(lines[0])["user_id"]
    extra = [
        b'{"type": "session", "user_id": ',
        orjson.dumps({"type": "session", "user_id": "nobody-here", "device_id": "d-x",
                      "at": "2025-01-01T00:00:00+08:00"}),
        lines[3],
        orjson.dumps({"type": "order_paid", "order_id": "bulk-o1", "user_id": buyer,
                      "amount_cents": 300, "currency": "CNY", "device_id": "bulk-d1",
                      "items": [{"sku": "s1", "amount_cents": 100},
                                {"sku": "s2", "category": "home", "amount_cents": 200}],
                      "at": "2025-02-01T10:00:00.250000+08:00"}),
        orjson.dumps({"type": "order_refunded", "order_id": "bulk-o1", "refund_id": "bulk-r1",
                      "amount_cents": 301, "at": "2025-02-02T10:00:00+08:00"}),
        orjson.dumps({"type": "order_refunded", "order_id": "bulk-o1", "refund_id": "bulk-r2",
                      "amount_cents": 300, "at": "2025-02-02T10:00:00+08:00"}),
    ]
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(lines[:50] + extra + lines[50:]) + b"\n")
    return path


def report(stdout: str) -> list[str]:
    """The rejected-lines report of an import's output."""
    return [line.strip() for line in stdout.splitlines()
            if line.strip().startswith(("line ", "accepted ", "... and"))]


def _frozen(key: str, value: Any) -> Any:
    from graph.users.pii import decrypt

    if key == "phone_enc":  # sealed with a fresh nonce at each write: compared in clear
        return decrypt(value)
    return tuple(value) if isinstance(value, list) else value


def snapshot() -> tuple[Counter[str], dict[Any, Any], Counter[Any]]:
    """Counts per label and type, each event node's properties, each relationship's ends and
    properties: all but the write-time stamps."""
    nodes = db.read_query("testing.bulk_event_nodes")
    rels = db.read_query("testing.bulk_event_relationships")
    labels = Counter(":".join(sorted(n["labels"])) for n in nodes)
    labels.update(f"-{r['type']}-" for r in rels)
    props = {(":".join(sorted(n["labels"])), n["props"].get("id", n["props"].get("addr"))):
             {k: _frozen(k, v) for k, v in n["props"].items() if k not in STAMPS} for n in nodes}
    edges = Counter((r["type"], r["start"], r["end"],
                     tuple(sorted((k, v) for k, v in r["props"].items() if k not in STAMPS)))
                    for r in rels)
    return labels, props, edges


def rebates_settled() -> dict[str, int]:
    """The rebate state once the worker computed every order (asked until it has). A reader
    may see a large commit half applied (the orders flagged computed before their rebates
    show), so the state counts once nothing waits and it read the same a second apart."""
    deadline = time.monotonic() + 240
    before = None
    while True:
        state = dict(db.read_query("testing.bulk_rebate_state")[0])
        if (state["pending"] == 0 and state == before) or time.monotonic() > deadline:
            return state
        before = state
        time.sleep(1)


def test_bulk_load_writes_the_graph_a_normal_import_writes(clean_graph, tmp_path):
    from graph.rules.book import ensure_default_rule
    from graph.users.invites import upline

    path = mall_file(tmp_path)
    normal = run_import(path)
    assert normal.returncode == 0, normal.stderr
    normal_rebates = rebates_settled()
    expected = snapshot()
    sample = sorted(k[1] for k in expected[1] if k[0] == "User")[::40]
    uplines = {u: upline(u, 10) for u in sample}

    db.reset_database()
    ensure_default_rule()
    bulk = run_import(path, "--bulk", "--chunk", "1000")
    db.close_driver()  # Neo4j was restarted under this process's connections
    assert bulk.returncode == 0, bulk.stdout + bulk.stderr
    assert "neo4j-admin:" in bulk.stdout and "total:" in bulk.stdout

    assert report(bulk.stdout)[1:] == report(normal.stdout)[1:]  # the same bad lines, reasons
    assert "line 51: malformed_json" in bulk.stdout
    assert "line 52: unknown_user" in bulk.stdout
    assert "line 55: refund_exceeds_order" in bulk.stdout
    # the worker computes the new orders' rebates, as after the normal import
    settled = rebates_settled()
    assert settled["pending"] == 0 and settled["rebates"] == normal_rebates["rebates"] > 0, (
        settled, normal_rebates)
    got = snapshot()
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    assert got[2] == expected[2]
    order = got[1][("Order", "bulk-o1")]
    assert order["item_categories"] == ("", "home") and order["status"] == "refunded"
    assert {u: upline(u, 10) for u in sample} == uplines

    # a store holding users is refused, and left as it was
    again = run_import(path, "--bulk")
    assert again.returncode == 1
    assert "empty store only" in again.stderr
    assert snapshot()[0] == expected[0]


def test_an_emptied_store_keeps_its_schema_and_takes_a_bulk_load(clean_graph, tmp_path):
    from graph.settings import get_settings
    from infra import bulk_import

    def labels() -> dict[str, int]:
        return {r["name"]: r["count"] for r in db.read_query("testing.graph_totals")
                if r["kind"] == "node"}

    path = mall_file(tmp_path)
    assert run_import(path).returncode == 0
    constraints = sorted(r["name"] for r in db.read_query("testing.constraint_names"))
    assert constraints and labels()["User"] > 0

    bulk_import.empty_store(get_settings(), say=lambda _: None)

    assert labels() == {"Rule": 1}  # the default rule, as at start-up
    assert sorted(r["name"] for r in db.read_query("testing.constraint_names")) == constraints
    bulk = run_import(path, "--bulk")  # it refuses a store holding users
    db.close_driver()  # Neo4j was restarted under this process's connections
    assert bulk.returncode == 0, bulk.stdout + bulk.stderr
    assert labels()["User"] > 0
