"""The growth levers of SPEC 10.3/10.4 shown in the demo mall, each as one `Shown`: what it
did, and the request that shows it (`tiergraph demo` prints them as curl lines).

Idempotent: rules are created when absent, events replay as duplicates, a redemption and
an expiry are booked once by their ids, settlement moves nothing twice. The lever orders
(lab/demo_mall.py) are dated in the mall's past: settling "as of" a day between their T+1
and T+7 dates shows one credited while the other waits, and points credited over
TIERGRAPH_POINTS_EXPIRE_DAYS ago expire at once.
"""

import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graph import analytics, db, leaderboards
from graph.aggregates import mall_day
from graph.ingest.batch import ingest_raw
from graph.money import ledger, points, rebates, settlement, team_bonuses, team_rewards
from graph.risk import reads
from graph.rules import book
from graph.settings import get_settings
from graph.webhooks import delivery, endpoints, outbox
from lab.demo_mall import (
    LEADERBOARD_INVITERS,
    LEVEL_CHANGE,
    LEVER_CHAIN,
    LEVER_RULES,
    MALL_TZ,
    START,
    leaderboard_events,
    lever_events,
)

RECEIVER_ID = "demo-loopback-receiver"
REDEMPTION = ("demo-redeem-lv-shop", "lv-shop", 500, "demo-tote-bag")
# lv-buyer's completed September orders (lab/demo_mall.py) put lv-lead's team, two tiers
# deep, over its threshold.
TEAM_REWARD: dict[str, Any] = {"id": "demo-team-september", "threshold_cents": 40_000,
                               "bonus_bp": 200, "period": "month", "depth": 2}
TEAM_PERIOD = "2026-09"
SETTLED_BETWEEN = datetime(2026, 9, 24, 12, tzinfo=MALL_TZ)  # after T+1's date, before T+7's
DELIVERY_WAIT_S = 15.0  # the worker may hold a claim on a delivery for a moment


@dataclass(frozen=True)
class Shown:
    """One lever: what the demo did, and the GET (role, path) that shows it."""

    lever: str
    summary: str
    role: str
    path: str


def _day(iso: str | None) -> str:
    return iso[:10] if iso else "-"


def ensure_rules(actor: str) -> int:
    """Create the lever rules that are absent (audited as `actor`); returns how many."""
    present = {r["id"] for r in book.list_rules()}
    missing = [r for r in LEVER_RULES if r["id"] not in present]
    for rule in missing:
        book.create_rule(dict(rule), actor=actor, role="admin", request_id=None)
    return len(missing)


def load_lever_orders() -> int:
    """Ingest the lever chain, then each order and compute its rebates before the next is
    paid (a campaign's budget is spent in payment order); returns the events accepted."""
    setup, steps = lever_events()
    accepted = ingest_raw(setup).accepted
    for step in steps:
        accepted += ingest_raw(step).accepted
        rebates.compute_rebates([step[0]["order_id"]])
    return accepted


class _Receiver(BaseHTTPRequestHandler):
    """A loopback endpoint: keeps each body whose Tiergraph-Signature checks out."""

    secret = ""
    verified: list[bytes] = []
    refused = 0

    def do_POST(self) -> None:  # http.server calls it by this name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fields = dict(part.split("=", 1) for part in
                      self.headers.get(delivery.SIGNATURE_HEADER, "").split(",") if "=" in part)
        expected = hmac.new(self.secret.encode(), fields.get("t", "").encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, fields.get("v1", "")):
            type(self).verified.append(body)
            self.send_response(204)
        else:
            type(self).refused += 1
            self.send_response(401)
        self.end_headers()

    def log_message(self, *_: Any) -> None:  # quiet: the demo prints a summary
        pass


@contextmanager
def loopback_receiver(actor: str) -> Iterator[type[_Receiver]]:
    """A receiver on 127.0.0.1 registered for `rebate.status_changed` while the block runs;
    afterwards its deliveries are drained to it and the endpoint is deleted (nothing is sent
    to a port no one listens on)."""
    class Receiver(_Receiver):  # its own secret and tallies
        secret = uuid.uuid4().hex
        verified: list[bytes] = []
        refused = 0

    handler = Receiver
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoints.register(webhook_id=RECEIVER_ID,
                           url=f"http://127.0.0.1:{server.server_port}/tiergraph",
                           events=[outbox.REBATE_STATUS_CHANGED], secret=handler.secret,
                           actor=actor, role="admin", request_id=None)
        yield handler
        deadline = time.monotonic() + DELIVERY_WAIT_S
        while time.monotonic() < deadline:
            delivery.drain()
            page = endpoints.deliveries(RECEIVER_ID, "pending", 1, None)
            if not page["items"]:
                break
            time.sleep(0.2)
    finally:
        if db.read_query("webhooks.get", id=RECEIVER_ID):
            endpoints.delete(RECEIVER_ID, actor=actor, role="admin", request_id=None)
        server.shutdown()
        server.server_close()


def settle(actor: str, fresh: bool) -> tuple[Shown, Shown]:
    """Settle as of a day between the T+1 and T+7 dates, then as of now; the webhook lever
    (a loopback receiver told of each move, when the settings allow one and the lever
    orders are new) and the T+1 / T+7 lever."""
    allow = get_settings().webhook_allow_private

    def run() -> dict[str, int]:
        between = settlement.run(SETTLED_BETWEEN, actor=actor, role="admin")
        settlement.run(datetime.now(UTC), actor=actor, role="admin")
        return between

    if allow and fresh:
        with loopback_receiver(actor) as receiver:
            run()
        hooks = Shown("webhooks", f"{len(receiver.verified)} rebate.status_changed deliveries "
                      f"POSTed by the worker's outbox to a loopback receiver, "
                      f"{len(receiver.verified)} signatures verified, {receiver.refused} "
                      "refused (its endpoint is deleted as the demo ends); the mall's own:",
                      "admin", "/v1/webhooks")
    else:
        run()
        why = ("the lever orders were settled by an earlier load" if allow else
               "a loopback receiver needs TIERGRAPH_WEBHOOK_ALLOW_PRIVATE=true")
        hooks = Shown("webhooks", f"{why}; register the mall's endpoint (README, Webhooks), "
                      "then every attempt is listed at:", "admin",
                      "/v1/webhooks/mall-backend/deliveries")
    rows = {r["order_id"]: r for r in db.read_query(
        "demo.rebate_dates", order_ids=["lv-level-after", "lv-t7"])}
    fast, slow = rows.get("lv-level-after", {}), rows.get("lv-t7", {})
    windows = Shown("T+1 / T+7", f"fresh (rule demo-fresh-t1, T+1) payable "
                    f"{_day(fast.get('payable_at'))}, furniture (demo-furniture-t7, T+7) "
                    f"{_day(slow.get('payable_at'))}, both completed 2026-09-21; now "
                    f"{fast.get('status')} / {slow.get('status')}", "mall",
                    "/v1/orders/lv-t7/rebates")
    return hooks, windows


def levels_shown() -> Shown:
    """The level change between two orders of the same category."""
    rows = {r["order_id"]: r for r in db.read_query(
        "demo.rebate_dates", order_ids=["lv-level-before", "lv-level-after"])}
    before, after = (rows.get(k, {}).get("amount_cents") for k in
                     ("lv-level-before", "lv-level-after"))
    return Shown("levels", f"lv-shop went from level 0 to 2 on {LEVEL_CHANGE.date()} "
                 f"(user_level_changed); its tier-1 rebate on a 100-yuan fresh order was "
                 f"{before} cents before, {after} after (demo-fresh-t1: +100 bp a level)",
                 "mall", "/v1/orders/lv-level-after/rebates")


def budget_shown() -> Shown:
    """The campaign's spending and the order it turned away."""
    rows = db.read_query("demo.rebate_dates",
                         order_ids=["lv-flash-1", "lv-flash-2", "lv-flash-3"])
    campaign = next(r for r in book.list_rules() if r["id"] == "demo-flash-campaign")
    told = ", ".join(f"{r['order_id']} {r['status']}" + (f" {r['reason']}" if r["reason"]
                                                          else "") for r in rows)
    return Shown("budget", f"demo-flash-campaign spent {campaign['spent_cents']} of its "
                 f"{campaign['budget_cents']} cents: {told}", "mall",
                 "/v1/orders/lv-flash-3/rebates")


def points_shown(actor: str) -> Shown:
    """Redeem some of lv-shop's points, expire what is over a year old, and say so."""
    redemption_id, user_id, amount, item = REDEMPTION
    points.redeem(redemption_id, user_id, amount, item, actor=actor, role="admin")
    points.expire(full=True, actor=actor)
    sums: dict[str, int] = {}
    for row in ledger.user_sums(user_id):
        if row["kind"] == "points" and row["bucket"] == "available":
            sums[row["type"]] = sums.get(row["type"], 0) + row["cents"]
    left = ledger.balances(user_id)["points"]["available"]
    return Shown("points", f"{user_id} earned {sums.get('credit', 0)} points (demo-snacks-points"
                 f"; half of them credited in June 2025), redeemed {-sums.get('redeem', 0)} "
                 f"on {item}, {-sums.get('expire', 0)} expired after "
                 f"{get_settings().points_expire_days} days; {left} available", "mall",
                 f"/v1/users/{user_id}/balance")


def team_shown(actor: str) -> Shown:
    """A team reward for September 2026, paid once (a rerun finds it paid): lv-lead's team
    two tiers deep (lv-shop, lv-buyer) sold past the threshold, and so did other leaders."""
    if team_rewards.get(TEAM_REWARD["id"]) is None:
        team_rewards.create(dict(TEAM_REWARD), actor=actor, role="admin", request_id=None)
    run = team_bonuses.run_period(TEAM_REWARD["id"], TEAM_PERIOD, actor=actor, role="admin")
    page = team_bonuses.bonuses(TEAM_REWARD["id"], TEAM_PERIOD, 500, None)["items"]
    lead = next((b for b in page if b["leader"] == LEVER_CHAIN[0]), None)
    told = (f"{lead['leader']}: team sales {lead['team_sales_cents']} cents, bonus "
            f"{lead['amount_cents']} ({lead['status']})" if lead else "lv-lead not paid")
    return Shown("team rewards", f"{TEAM_REWARD['id']} (threshold "
                 f"{TEAM_REWARD['threshold_cents']} cents, {TEAM_REWARD['bonus_bp']} bp, "
                 f"depth {TEAM_REWARD['depth']}) paid {len(page)} leaders for {TEAM_PERIOD} "
                 f"({run['created']} new this run); {told}", "admin",
                 f"/v1/team-rewards/{TEAM_REWARD['id']}/bonuses?period={TEAM_PERIOD}")


def load_leaderboard_week(today: date) -> list[str]:
    """This week's invitees and their orders, with their rebates; returns the order ids."""
    events = leaderboard_events(today)
    ingest_raw(events)
    orders = [e["order_id"] for e in events if e["type"] == "order_paid"]
    rebates.compute_rebates(orders)
    return orders


def growth_reads(first: date, last: date) -> tuple[Shown, Shown]:
    """Fold what was written into the aggregates once, then the leaderboard and ROI lines."""
    folded = analytics.fold()
    board = leaderboards.invites("week", 10)
    ranked = ", ".join(f"{e['rank']}. {e['user_id']} ({e['invitees']})"
                       for e in board["entries"][:3])
    shown = {e["user_id"] for e in board["entries"]}
    ring = [rid for rid, _ in LEADERBOARD_INVITERS if rid.startswith("ring")]
    rings = {m for r in reads.list_rings(get_settings().hold_score, 10, "open")
             for m in r["members"]}
    out = [f"{u} (ring member)" for u in ring if u not in shown and u in rings]
    out += [f"{u} (not ranked: not in a held ring?)" for u in ring if u not in shown
            and u not in rings]
    board_line = Shown("leaderboard", f"week of {board['starts_on']}: {ranked or 'empty'}; "
                       f"left out: {', '.join(out) or 'none'}; also ?period=month", "mall",
                       "/v1/leaderboards/invites?period=week&limit=10")
    roi = analytics.roi(first, last, "rule")
    top = ", ".join(f"{r['key']} roi {r['roi']}" for r in roi["rows"][:4])
    roi_line = Shown("ROI", f"folded {folded['days']} days and {folded['tallies']} tallies; "
                     f"by rule: {top}; also group_by=category|day", "admin",
                     f"/v1/analytics/roi?from={first}&to={last}&group_by=rule")
    return board_line, roi_line


def show(actor: str, now: datetime | None = None) -> list[Shown]:
    """Run every lever against the loaded demo mall (idempotent); one `Shown` each."""
    now = now or datetime.now(UTC)
    ensure_rules(actor)
    fresh = load_lever_orders() > 0
    hooks, windows = settle(actor, fresh)
    shown = [hooks, levels_shown(), windows, budget_shown(), points_shown(actor)]
    shown.append(team_shown(actor))
    load_leaderboard_week(mall_day(now))
    first = START.astimezone(MALL_TZ).date()
    last = min(mall_day(now), first + timedelta(days=analytics.MAX_DAYS - 1))
    shown.extend(growth_reads(first, last))
    return shown
