"""`tiergraph backup` and `tiergraph restore` against the local stack: a backup restored over
later changes brings the graph and the sealed audit log back as they were, and the pair
verifies (the audit chain against its seals, the ledger check)."""

import json
import os
import subprocess
import sys

import pytest

from graph import db
from graph.audit import seals, trail
from graph.money import books
from tests.conftest import NOT_LOCAL, auth
from tests.factories import make_audited_rules

pytestmark = pytest.mark.skipif(NOT_LOCAL, reason="stops and starts the local stack's Neo4j")
MALL, ADMIN = auth("mall"), auth("admin")


def tiergraph(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, timeout=900, env={**os.environ, "COLUMNS": "250"})
    db.close_driver()  # Neo4j was restarted under this process's connections
    return done


def credit(client, ids, user: str, name: str, cents: int) -> None:
    answer = client.post(f"/v1/users/{user}/adjustments", headers=ADMIN, json={
        "adjustment_id": ids(name), "amount_cents": cents, "reason": "goodwill credit"})
    assert answer.status_code == 201, answer.text


def available(client, user: str) -> int:
    return client.get(f"/v1/users/{user}/balance", headers=MALL).json()["cash"]["available"]


def test_a_restored_backup_verifies_and_forgets_what_came_after(client, clean_graph, ids,
                                                               tmp_path):
    user = ids("u")
    assert client.post("/v1/users", headers=MALL, json={
        "user_id": user, "at": "2026-03-01T10:00:00+08:00"}).status_code == 201
    make_audited_rules(client, ids, 2)
    credit(client, ids, user, "first", 1500)
    sealed_then = seals.sealed(0)
    assert trail.verify()["entries"] == len(sealed_then) == 3

    target = tmp_path / "backup"
    taken = tiergraph("backup", str(target))
    assert taken.returncode == 0, taken.stdout + taken.stderr
    assert "stopping Neo4j" in taken.stdout and "starting Neo4j again" in taken.stdout
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["audit_entries"] == 3 and set(manifest["files"]) == {
        "neo4j.dump", "audit-log.jsonl"}
    assert tiergraph("backup", str(target)).returncode == 1  # never over a backup

    # what happens after the backup: a rule, more money, their audit entries
    assert client.post("/v1/rules", headers=ADMIN, json={
        "id": ids("later"), "tiers": [300], "category": "audit-test"}).status_code == 201
    credit(client, ids, user, "second", 500)
    assert available(client, user) == 2000 and trail.verify()["entries"] == 5

    assert tiergraph("restore", str(target)).returncode == 2  # not without --yes
    restored = tiergraph("restore", str(target), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "audit log: intact" in restored.stdout and "ledger: balanced" in restored.stdout

    assert available(client, user) == 1500
    rules = {r["id"] for r in client.get("/v1/rules", headers=ADMIN).json()["rules"]}
    assert ids("r0") in rules and ids("later") not in rules
    assert seals.sealed(0) == sealed_then
    verified = trail.verify()
    assert (verified["ok"], verified["entries"], verified["sealed"]) == (True, 3, 3)
    assert books.report()["ok"]
    make_audited_rules(client, lambda name: ids(f"after-{name}"), 1)  # the chain goes on
    assert trail.verify()["ok"] and [e["seq"] for e in seals.sealed(0)] == [1, 2, 3, 4]
