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
from tests.factories import make_audited_rules


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
