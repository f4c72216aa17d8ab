"""`tiergraph demo` against the real stack: it shows each growth lever of the demo mall with a
request to look at it, what it says is what the graph holds, and a second run changes
nothing. The suite's stack allows loopback webhook URLs, so the demo's receiver runs."""

import re

from graph import db, leaderboards
from graph.money import ledger, rebates, team_bonuses
from graph.rules.book import list_rules
from graph.settings import get_settings
from tests.cli.test_operator_commands import tiergraph

LEVERS = ("webhooks", "levels", "T+1 / T+7", "budget", "points", "team rewards", "leaderboard",
          "ROI")
# what a second run may add: its own detection run, settlement runs and fold, and their audit
BUSINESS = ("User", "Order", "Rebate", "LedgerTxn", "Rule", "Redemption", "LevelChange",
            "Webhook", "WebhookDelivery", "InviteTally", "RoiDay", "TeamReward")


def tier1(order_id: str) -> dict:
    return next(r for r in rebates.rebates_of_orders([order_id])[order_id]["rebates"]
                if r["tier"] == 1)


def totals() -> dict[str, int]:
    return {r["name"]: r["count"] for r in db.read_query("testing.graph_totals")
            if r["kind"] == "node" and r["name"] in BUSINESS}


def test_the_demo_shows_each_lever_and_a_second_run_changes_nothing(clean_graph):
    first = tiergraph("demo")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    for lever in LEVERS:
        assert re.search(rf"^  {re.escape(lever)}: ", out, re.M), (lever, out)
    assert len(re.findall(r"^    curl -s .*'http://\S+/v1/", out, re.M)) == len(LEVERS)
    # webhooks: every delivery reached the loopback receiver signed; the endpoint is gone
    verified, refused = map(int, re.search(
        r"(\d+) signatures verified, (\d+) refused", out).groups())
    assert verified > 0 and refused == 0
    assert not db.read_query("webhooks.get", id="demo-loopback-receiver")
    # a level change mid-month: the same order earns 100 bp more at level 2
    assert tier1("lv-level-after")["kind"] == "cash"
    assert (tier1("lv-level-before")["amount_cents"],
            tier1("lv-level-after")["amount_cents"]) == (800, 1000)
    # T+1 next to T+7: both completed on 2026-09-21, payable a day and a week later
    dates = {r["order_id"]: r for r in db.read_query(
        "demo.rebate_dates", order_ids=["lv-level-after", "lv-t7"])}
    assert [dates[o]["payable_at"][:10] for o in ("lv-level-after", "lv-t7")] \
        == ["2026-09-22", "2026-09-28"]
    assert {dates[o]["status"] for o in dates} == {"credited"}
    # the campaign pays two orders whole, then the third has nothing to fall to
    assert [(tier1(f"lv-flash-{n}")["status"], tier1(f"lv-flash-{n}")["reason"])
            for n in (1, 2, 3)] == [("pending", None), ("pending", None),
                                    ("void", "budget_exhausted")]
    assert next(r for r in list_rules() if r["id"] == "demo-flash-campaign")["spent_cents"] \
        == 4000
    # points: 2000 earned in June 2025 and 2000 in September 2026, 500 redeemed, the rest of
    # the old ones expired
    sums = {r["type"]: r["cents"] for r in ledger.user_sums("lv-shop")
            if r["kind"] == "points" and r["bucket"] == "available"}
    assert (sums["credit"], sums["redeem"], sums["expire"]) == (4000, -500, -1500)
    assert ledger.balances("lv-shop")["points"]["available"] == 2000
    assert "earned 4000 points" in out and "1500 expired" in out
    # team rewards: lv-lead's team two tiers down (lv-shop, lv-buyer) sold lv-buyer's four
    # completed September orders (fresh twice and furniture at 100 yuan, snacks at 200); the
    # flash-sale orders, received today and never completed, are in their return window
    bonuses = team_bonuses.bonuses("demo-team-september", "2026-09", 500, None)["items"]
    lead = next(b for b in bonuses if b["leader"] == "lv-lead")
    assert (lead["team_sales_cents"], lead["amount_cents"], lead["status"]) \
        == (50_000, 1_000, "confirmed")  # 200 bp, over the 40,000 threshold
    # the leaderboard: this week's inviters, the ring member who invited most left out
    board = leaderboards.invites("week", 100)
    ranked = {e["user_id"]: e["invitees"] for e in board["entries"]}
    assert ranked.get("m00001") == 4 and ranked.get("m00002") == 2
    assert "ring03" not in ranked and "ring03 (ring member)" in out
    # ROI rows for the lever rules, read from what the demo folded
    assert re.search(r"by rule: .*demo-", out)

    before = totals()
    balance = ledger.balances("lv-shop")
    second = tiergraph("demo")
    assert second.returncode == 0, second.stderr
    assert "accepted 0," in second.stdout
    assert totals() == before
    assert ledger.balances("lv-shop") == balance
    assert "the lever orders were settled by an earlier load" in second.stdout \
        or not get_settings().webhook_allow_private
