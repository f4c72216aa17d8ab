"""The operator's commands against the real stack: `tiergraph apikeys create/list/revoke`,
`tiergraph pii rotate-key` and `tiergraph detect` (the in-process detection run)."""

import json
import os
import re
import subprocess
import sys

from graph import db
from graph.audit import trail
from graph.ingest.batch import ingest_raw
from graph.money import rebates
from graph.risk import reads
from graph.settings import get_settings
from graph.users import apikeys, pii
from lab.demo_mall import demo_mall
from tests.factories import make_user


def tiergraph(*args: str, **env: str) -> subprocess.CompletedProcess:
    # a wide console, so that rich's tables do not cut the ids a test looks for
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "COLUMNS": "250", **env})


def test_a_key_made_at_the_shell_works_until_revoked(client):
    made = tiergraph("apikeys", "create", "--role", "risk", "--label", "shell test")
    assert made.returncode == 0, made.stderr
    key_id, key = re.search(r"^(\S+) \(risk\): (\S+)$", made.stdout, re.M).groups()
    bearer = {"Authorization": f"Bearer {key}"}
    assert client.get("/v1/risk/rings", headers=bearer).status_code == 200
    assert client.get("/v1/rules", headers=bearer).status_code == 403  # risk, not admin
    listed = tiergraph("apikeys", "list")
    assert listed.returncode == 0 and key_id in listed.stdout and key not in listed.stdout

    revoked = tiergraph("apikeys", "revoke", key_id)
    assert revoked.returncode == 0 and f"{key_id} revoked" in revoked.stdout
    apikeys.refresh()  # revoked by another process: this one re-reads its keys now
    assert client.get("/v1/risk/rings", headers=bearer).status_code == 401
    assert tiergraph("apikeys", "revoke", "no-such-key").returncode == 1
    assert tiergraph("apikeys", "create", "--role", "root", "--label", "x").returncode == 2
    actions = [e["action"] for e in trail.page(0, 100_000) if e["target"].endswith(key_id)]
    assert actions == ["apikey.create", "apikey.revoke"]
    assert all(e["actor"].startswith("cli:") for e in trail.page(0, 100_000)
               if e["target"].endswith(key_id))


def test_rotate_key_at_the_shell_reseals_and_is_audited(graph, ids):
    phone = "+8613600001111"
    assert ingest_raw([make_user(ids("u"), phone=phone)]).accepted == 1
    settings = get_settings()
    suite_key = settings.pii_key.get_secret_value()
    new = {"TIERGRAPH_PII_KEY": "a-key-for-the-shell-test", "TIERGRAPH_PII_KEY_ID": "k-cli",
           "TIERGRAPH_PII_OLD_KEYS": f"{settings.pii_key_id}:{suite_key}"}
    run = tiergraph("pii", "rotate-key", **new)
    try:
        assert run.returncode == 0, run.stderr
        count = int(re.search(r"(\d+) phones re-sealed under key k-cli", run.stdout).group(1))
        assert count >= 1
        props = db.read_query("testing.raw_user_properties", prefix=ids(""))[0]["props"]
        assert pii.key_id_of(props["phone_enc"]) == "k-cli" and phone[3:] not in repr(props)
        entry = [e for e in trail.page(0, 100_000) if e["action"] == "pii.rotate_key"][-1]
        assert (entry["target"], entry["after"]) == ("pii_key:k-cli", {"resealed": count})
        assert entry["actor"].startswith("cli:")
    finally:  # every phone back under the suite's own key, by the same command
        back = tiergraph("pii", "rotate-key",
                         TIERGRAPH_PII_OLD_KEYS="k-cli:a-key-for-the-shell-test")
        assert back.returncode == 0, back.stderr
    assert pii.decrypt(db.read_query("testing.raw_user_properties",
                                     prefix=ids(""))[0]["props"]["phone_enc"]) == phone


def test_detect_at_the_shell_finds_the_planted_ring(clean_graph):
    events, labels = demo_mall()
    assert not ingest_raw(events).rejected
    rebates.compute_rebates([e["order_id"] for e in events if e["type"] == "order_paid"])
    run = tiergraph("detect", "--seed", "1")
    assert run.returncode == 0, run.stderr
    result, _ = json.JSONDecoder().raw_decode(run.stdout[run.stdout.index("{"):])
    assert result["rings"] >= 1 and result["holding_rings"] >= 1
    # the planted accounts share one card and address: their signals held their rebates at
    # birth, and what the signals did not hold the ring holds now
    members = labels["rings"][0]["members"]
    held = db.read_query("testing.rebates_of_buyers", user_ids=members)
    assert held and {r["status"] for r in held} == {"held"}
    [entry] = [e for e in trail.page(0, 100_000) if e["action"] == "risk.detect"]
    assert entry["actor"].startswith("cli:") and entry["after"]["rings"] == result["rings"]

    # the rings the command lists are the stored ones, and the best of them is the planted ring
    listed = [line.split()[0] for line in run.stdout.splitlines() if line.startswith("ring-")]
    stored = reads.list_rings(0.0, 10, "open")
    assert listed == [ring["ring_id"] for ring in stored]
    planted = set(labels["rings"][0]["members"])
    best = set(stored[0]["members"])
    assert len(best & planted) / len(best | planted) > 0.5, (best, planted)
