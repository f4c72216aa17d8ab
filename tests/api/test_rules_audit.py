"""Rules through the API (refusals store nothing; a category rule pays its items), and the
audit log that records every rule change, with verify catching edits and deletions."""

import subprocess
import sys

import pytest

from graph import db
from graph.audit import trail
from graph.ingest.batch import ingest_raw
from graph.money.rebates import compute_rebates
from tests.conftest import auth
from tests.factories import make_audited_rules, make_chain, make_order

ADMIN = auth("admin")


def rule_ids(client):
    return {r["id"] for r in client.get("/v1/rules", headers=ADMIN).json()["rules"]}


@pytest.mark.parametrize(("tiers", "problem"), [
    ([1000, 500, 200, 100], "tier-limit"),
    ([12000], "rate-limit"),
    ([200, 500], "rate-limit"),
    ([2000, 900, 500], "rate-limit"),
])
def test_refused_rules_are_422_and_store_nothing(client, ids, tiers, problem):
    before = trail.page(0, 100_000)
    answer = client.post("/v1/rules", headers=ADMIN, json={"id": ids("r"), "tiers": tiers})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith(problem)
    assert ids("r") not in rule_ids(client)
    assert trail.page(0, 100_000) == before


def test_only_admin_creates_rules(client, ids):
    answer = client.post("/v1/rules", headers=auth("mall"), json={"id": ids("r"), "tiers": [100]})
    assert answer.status_code == 403


def test_category_rule_pays_its_items_and_is_audited(client, ids):
    rule = {"id": ids("beauty"), "tiers": [1500, 800], "category": ids("cat")[:40].lower(),
            "starts_at": "2026-01-01T00:00:00+08:00", "priority": 5}
    answer = client.post("/v1/rules", headers={**ADMIN, "X-Request-ID": ids("req")}, json=rule)
    assert answer.status_code == 201, answer.text
    assert answer.json()["created_by"].startswith("admin:")
    assert client.post("/v1/rules", headers=ADMIN, json=rule).status_code == 409

    chain = [ids(f"c{n}") for n in range(4)]
    ingest_raw(make_chain(chain) + [
        make_order(ids("o"), chain[3], [(rule["category"], 10000), ("home", 10000)])])
    compute_rebates([ids("o")])
    rebates = db.read_query("rebates.for_orders", ids=[ids("o")])[0]["rebates"]
    # category item: 1500/800 bp on two tiers; other item: the default 1000/500/200
    assert [(r["tier"], r["amount_cents"]) for r in rebates] == [(1, 2500), (2, 1300), (3, 200)]

    entries = [e for e in trail.page(0, 100_000) if e["target"] == f"rule:{rule['id']}"]
    assert len(entries) == 1
    assert entries[0]["action"] == "rule.create" and entries[0]["caller_request_id"] == ids("req")
    assert entries[0]["after"]["tiers"] == [1500, 800] and entries[0]["before"] is None
    assert client.get("/v1/audit?limit=1000", headers=auth("compliance")).status_code == 200


def _verify_cli():
    return subprocess.run([sys.executable, "-m", "cli.main", "audit", "verify"],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("mode", ["edit", "delete", "truncate"])
def test_verify_names_the_first_broken_entry(client, clean_graph, ids, mode):
    make_audited_rules(client, ids, 5)
    assert trail.verify()["ok"] and trail.verify()["entries"] == 5
    intact = _verify_cli()
    assert intact.returncode == 0 and "5 entries (5 sealed in the audit store)" in intact.stdout

    db.write_query("testing.tamper_audit", mode=mode, seq=3)
    result = trail.verify()
    assert (result["ok"], result["first_broken"]) == (False, 3), result
    run = _verify_cli()
    assert run.returncode == 1 and "broken at entry 3" in run.stdout
