"""The audit log is sealed in the audit store, out of the application's reach: a chain rebuilt
in the graph is caught against the seal, the application's account cannot change the sealed
log, and entries appended while the store is down are sealed once it is back."""

import pytest
import redis

from graph import db
from graph.audit import seals, trail
from graph.settings import get_settings
from infra import stack
from tests.conftest import NOT_LOCAL, auth
from tests.factories import make_audited_rules, make_order, make_user


def test_every_entry_is_sealed_as_it_is_appended(client, clean_graph, ids):
    make_audited_rules(client, ids, 3)
    in_graph = db.read_query("audit.page", after=0, limit=10)
    sealed = seals.sealed(0)
    assert [e["seq"] for e in sealed] == [1, 2, 3]
    assert [{k: e[k] for k in trail.STORED} for e in sealed] == \
        [{k: e[k] for k in trail.STORED} for e in in_graph]
    assert trail.verify() == {"ok": True, "entries": 3, "sealed": 3, "first_broken": None,
                              "problem": None, "head_hash": in_graph[-1]["hash"]}


def test_a_chain_rebuilt_in_the_graph_is_caught_by_its_seal(client, clean_graph, ids):
    make_audited_rules(client, ids, 4)
    entries = db.read_query("audit.page", after=0, limit=10)
    # rewrite entry 2 and recompute every hash after it, and the head's, as an intruder would
    running, rows = entries[0]["hash"], []
    for entry in entries[1:]:
        forged = dict(entry, after='{"tiers":[9000]}' if entry["seq"] == 2 else entry["after"])
        digest = trail.entry_hash(running, forged)
        rows.append({"seq": entry["seq"], "after": forged["after"], "prev_hash": running,
                     "hash": digest})
        running = digest
    assert db.write_query("testing.rewrite_audit", rows=rows, head_hash=running)[0]["touched"] == 3

    rewritten = db.read_query("audit.page", after=0, limit=10)
    assert trail._walk(iter([]), iter(rewritten))["ok"]  # the graph's own chain checks out
    result = trail.verify()
    assert (result["ok"], result["first_broken"], result["sealed"]) == (False, 2, 1), result
    assert "edited in the graph" in result["problem"] and "after" in result["problem"]


def test_the_application_account_cannot_change_the_sealed_log(client, clean_graph, ids):
    make_audited_rules(client, ids, 2)
    app_account = redis.Redis.from_url(get_settings().audit_store_url)
    for command in (("DEL", seals.STREAM), ("XDEL", seals.STREAM, "1-1"),
                    ("XTRIM", seals.STREAM, "MAXLEN", "0"), ("FLUSHALL",), ("FLUSHDB",),
                    ("RENAME", seals.STREAM, "elsewhere"), ("XSETID", seals.STREAM, "9-9"),
                    ("EVAL", f"return redis.call('del', '{seals.STREAM}')", "0"),
                    ("CONFIG", "SET", "appendonly", "no"), ("ACL", "SETUSER", "x", "on"),
                    ("SET", "x", "1"), ("SWAPDB", "0", "1")):
        with pytest.raises(redis.exceptions.NoPermissionError):
            app_account.execute_command(*command)
    with pytest.raises(redis.ResponseError, match="equal or smaller"):  # no rewriting by id
        app_account.xadd(seals.STREAM, {"seq": "1", "after": "forged"}, id="1-1")
    assert [e["seq"] for e in seals.sealed(0)] == [1, 2]
    assert trail.verify()["ok"]


@pytest.mark.skipif(NOT_LOCAL, reason="stops and starts the local stack's audit store")
def test_entries_appended_while_the_store_is_down_are_sealed_when_it_is_back(
        client, clean_graph, ids):
    settings = get_settings()
    paths = stack.Paths(settings.data_dir)
    make_audited_rules(client, ids, 1)
    assert stack.stop_service(paths, "audit")
    try:
        answer = client.post("/v1/rules", headers=auth("admin"),
                             json={"id": ids("while-down"), "tiers": [150],
                                   "category": "audit-test"})
        assert answer.status_code == 201  # the change is not refused for want of a seal
        assert "cannot verify" in trail.verify()["problem"]
    finally:
        stack.start_audit_store(settings, paths, say=lambda _: None)
    assert [e["seq"] for e in seals.sealed(0)] == [1]
    from workers.tasks.audit import seal

    assert seal.delay().get(timeout=60) == 1  # the worker's periodic task catches up
    assert [e["seq"] for e in seals.sealed(0)] == [1, 2]
    assert trail.verify()["ok"]


def test_entries_keep_the_servers_request_id_and_the_callers_beside_it(client, ids):
    answer = client.post("/v1/rules", headers={**auth("admin"), "X-Request-ID": "trace 42/<x>"},
                         json={"id": ids("r"), "tiers": [100], "category": "audit-test"})
    assert answer.status_code == 201
    entry = [e for e in trail.page(0, 100_000) if e["target"] == f"rule:{ids('r')}"][-1]
    assert entry["request_id"] == answer.headers["x-request-id"] != "trace 42/<x>"
    assert entry["caller_request_id"] == "trace_42/_x_"
    assert trail.verify()["ok"]
    as_compliance = client.get(f"/v1/audit?after={entry['seq'] - 1}&limit=1",
                               headers=auth("compliance")).json()["entries"][0]
    assert (as_compliance["request_id"], as_compliance["caller_request_id"]) == (
        entry["request_id"], "trace_42/_x_")


def test_entries_from_before_the_callers_id_keep_their_hash():
    """An entry without caller_request_id hashes as entries did before the field existed,
    so logs written then still verify; with one, the id is part of the hash."""
    import hashlib

    import orjson

    entry = {"seq": 7, "actor": "admin:0123456789ab", "role": "admin", "action": "rule.create",
             "target": "rule:r", "before": None, "after": '{"tiers":[100]}',
             "at": "2026-01-02T03:04:05+00:00", "request_id": "abc"}
    before = hashlib.sha256(orjson.dumps(["f" * 64, *[entry[f] for f in trail.FIELDS]]))
    assert trail.entry_hash("f" * 64, entry) == before.hexdigest()
    assert trail.entry_hash("f" * 64, {**entry, "caller_request_id": None}) == before.hexdigest()
    assert trail.entry_hash("f" * 64, {**entry, "caller_request_id": "x"}) != before.hexdigest()


def test_a_points_conversion_is_audited_once(client, ids):
    category = "pts-" + ids("c")[-8:]
    admin, mall = auth("admin"), auth("mall")
    rule = {"id": ids("pts"), "tiers": [500], "kind": "points", "category": category}
    assert client.post("/v1/rules", headers=admin, json=rule).status_code == 201
    a, b = ids("a"), ids("b")
    assert client.post("/v1/events", headers=mall, json=[
        make_user(a), make_user(b, a),
        make_order(ids("o"), b, [(category, 100_000)], at="2025-07-01T10:00:00+08:00"),
        {"type": "order_completed", "order_id": ids("o"), "at": "2025-07-02T10:00:00+08:00"},
    ]).json()["accepted"] == 4
    client.post(f"/v1/orders/{ids('o')}/payouts", headers=mall)
    client.post("/v1/settlement/run", headers=admin, json={"as_of": "2025-07-10T00:00:00Z"})
    body = {"conversion_id": ids("cv"), "points": 3000}
    url = f"/v1/users/{a}/points/convert"
    first = client.post(url, headers={**mall, "X-Request-ID": "conv-1"}, json=body)
    assert first.status_code == 201
    assert client.post(url, headers=mall, json=body).status_code == 200  # a replay: no entry
    entries = [e for e in trail.page(0, 100_000)
               if e["action"] == "points.convert" and e["target"] == f"user:{a}"]
    assert [(e["role"], e["before"], e["after"], e["caller_request_id"]) for e in entries] == [
        ("mall", {"points_available": 5000, "cash_available": 0},
         {"points_available": 2000, "cash_available": 3000, "conversion_id": ids("cv"),
          "points": 3000, "cents": 3000}, "conv-1")]
    assert entries[0]["request_id"] == first.headers["x-request-id"]
    assert entries[0]["actor"].startswith("mall:")
    assert trail.verify()["ok"]
