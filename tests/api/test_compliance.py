"""The tier report over the whole graph, path certificates, and the WeChat cap of two."""

import json
import subprocess
import sys

from graph import compliance, db
from graph.ingest.batch import ingest_raw
from graph.money.rebates import compute_rebates
from graph.rules.book import ensure_default_rule
from graph.settings import get_settings
from tests.conftest import auth
from tests.factories import make_chain, make_order

COMPLIANCE = auth("compliance")


def test_report_over_a_clean_graph_is_compliant_and_counts_every_rebate(client, clean_graph, ids):
    chain = [ids(f"c{n}") for n in range(8)]
    ingest_raw(make_chain(chain) + [make_order(ids(f"o{n}"), chain[n]) for n in range(1, 8)])
    compute_rebates([ids(f"o{n}") for n in range(1, 8)])
    report = client.get("/v1/compliance/tier-report", headers=COMPLIANCE).json()
    # buyers c1..c7 have 1,2,3,3,3,3,3 uplines within the cap
    assert report["rebates_checked"] == 1 + 2 + 3 * 5
    assert (report["max_paid_tier"], report["violations"], report["compliant"]) == (3, [], True)
    assert (report["invite_cycles"], report["multiple_inviters"],
            report["rules_over_limit"]) == (0, 0, [])
    assert report["users_checked"] == 8
    assert compliance.report_digest(report) == report["digest"]
    tampered = {**report, "max_paid_tier": 2}
    assert compliance.report_digest(tampered) != report["digest"]


def test_report_catches_planted_violations_and_cli_exits_nonzero(clean_graph, ids):
    db.write_query("testing.plant_violations", prefix=ids(""))
    report = compliance.tier_report()
    codes = {v["code"]: v for v in report["violations"]}
    assert codes["tier_over_cap"]["examples"] == [ids("rb")]
    assert codes["path_mismatch"]["count"] == 2
    assert sorted(codes["path_mismatch"]["examples"]) == sorted([ids("rb"), ids("forged")])
    assert report["multiple_inviters"] == 1 and report["max_paid_tier"] == 4
    assert report["invite_cycles"] == 2  # x and y, each found again walking up
    assert report["compliant"] is False
    run = subprocess.run([sys.executable, "-m", "cli.main", "report", "tiers", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert '"tier_over_cap"' in run.stdout


def test_path_certificate_names_buyer_to_beneficiary(client, ids):
    chain = [ids(f"c{n}") for n in range(5)]
    ingest_raw(make_chain(chain) + [make_order(ids("o"), chain[4])])
    compute_rebates([ids("o")])
    answer = client.get(f"/v1/compliance/rebates/{ids('o')}:t3:cash/path", headers=COMPLIANCE)
    assert answer.status_code == 200
    assert answer.json()["path"] == [chain[4], chain[3], chain[2], chain[1]]
    assert answer.json()["tier"] == 3
    assert client.get(f"/v1/compliance/rebates/{ids('none')}/path",
                      headers=COMPLIANCE).status_code == 404


def test_wechat_cap_of_two_pays_two_tiers_and_reports_compliant(monkeypatch, client, clean_graph,
                                                                 ids):
    monkeypatch.setenv("TIERGRAPH_MAX_TIERS", "2")
    get_settings.cache_clear()
    try:
        db.reset_database()
        ensure_default_rule()  # what start-up does under the cap of two
        chain = [ids(f"c{n}") for n in range(5)]
        ingest_raw(make_chain(chain) + [make_order(ids("o"), chain[4], [("food", 10000)])])
        compute_rebates([ids("o")])
        rows = db.read_query("rebates.for_orders", ids=[ids("o")])[0]["rebates"]
        assert [(r["tier"], r["amount_cents"]) for r in rows] == [(1, 1000), (2, 500)]
        report = client.get("/v1/compliance/tier-report", headers=COMPLIANCE).json()
        assert (report["max_tiers"], report["max_paid_tier"]) == (2, 2)
        assert (report["rules_over_limit"], report["compliant"]) == ([], True)
        mall = auth("mall")
        upline = client.get(f"/v1/users/{chain[4]}/upline", headers=mall).json()
        upline_ids = [u["user_id"] for u in upline["upline"]]
        assert (upline["depth"], upline_ids) == (2, [chain[3], chain[2]])
        assert client.get(f"/v1/users/{chain[0]}/downline", headers=mall).json()["depth"] == 2
        for path in (f"/v1/users/{chain[4]}/upline?depth=3",
                     f"/v1/users/{chain[0]}/downline?depth=3"):
            answer = client.get(path, headers=mall)
            assert answer.status_code == 422 and answer.json()["type"].endswith("tier-limit")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        db.reset_database()
        ensure_default_rule()


def test_an_active_rule_over_the_cap_is_reported_until_retired(monkeypatch, client, clean_graph):
    """The default rule stored under the cap of three stays at three tiers when the cap
    is lowered to two: the report names it until an admin retires it."""
    monkeypatch.setenv("TIERGRAPH_MAX_TIERS", "2")
    get_settings.cache_clear()
    try:
        report = compliance.tier_report()
        assert (report["rules_over_limit"], report["compliant"]) == (["default"], False)
        retired = client.delete("/v1/rules/default", headers=auth("admin"))
        assert retired.status_code == 204, retired.text
        report = compliance.tier_report()
        assert (report["rules_over_limit"], report["compliant"]) == ([], True)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        db.reset_database()
        ensure_default_rule()


def test_a_saved_report_verifies_until_it_is_edited(client, ids, tmp_path):
    """`tiergraph report verify` recomputes the digest of a saved report, whether it was
    saved from the command line or from the API, and exits 1 once anything is changed."""
    chain = [ids(f"c{n}") for n in range(3)]
    ingest_raw(make_chain(chain) + [make_order(ids("o"), chain[2])])
    compute_rebates([ids("o")])
    cli = subprocess.run([sys.executable, "-m", "cli.main", "report", "tiers", "--json"],
                         capture_output=True, text=True, timeout=120)
    saved = {"cli": cli.stdout,
             "api": client.get("/v1/compliance/tier-report", headers=COMPLIANCE).text}
    for name, text in saved.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        verify = [sys.executable, "-m", "cli.main", "report", "verify", str(path)]
        intact = subprocess.run(verify, capture_output=True, text=True, timeout=60)
        assert intact.returncode == 0, (name, intact.stdout, intact.stderr)
        report = json.loads(text)
        report["rebates_checked"] += 1
        path.write_text(json.dumps(report))
        edited = subprocess.run(verify, capture_output=True, text=True, timeout=60)
        assert edited.returncode == 1, (name, edited.stdout)
