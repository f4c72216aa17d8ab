"""Team bonuses: what a team reward pays its leaders for a closed period, exactly once.

"Completed sales" of a team are the orders its members (the users 1..depth invite tiers
below the leader; never the leader) paid in the period, and in the reward's window, that
are completed or past their return window when the run reads them, net of refunds (each
in proportion to what is left of it; with a `category`, that category's items alone).

A run for (reward, period) is one write transaction under that pair's lock
(`team_rewards.lock_run`): it reads the counted orders, locks them (LOCK ORDER: the run,
then orders by id, then users), reads their refunds after the lock, and creates a rebate of
kind `team_bonus` for each leader whose team reached the threshold and has none for the
period yet. Its id is `team:<reward>:<period>:<leader>`, unique by constraint, so a replay,
a retried task or a concurrent run pays nobody twice; a later run for the same period pays
only leaders that had not reached the threshold before (orders completed since).

A bonus is born `confirmed` (its orders' return windows are over) and then moves with
settlement like any rebate: payable after TIERGRAPH_SETTLEMENT_DELAY_DAYS, credited by the
next run. Its accrual (`pool -> confirmed`, or `-> held`) is a LedgerTxn of its own, in
cash. A leader on a risk hold gets it `held` (a confirmed ring member `void`,
ring_confirmed; a disabled leader `void`, inviter_disabled), as order rebates are for their
buyer. Each counted order is linked to it, `(Order)-[:COUNTED_IN {cents}]->(Rebate)`: a
refund landing later lowers the team's sales in the refund's own transaction
(`apply_refunds`), and the bonus with them: below the threshold a bonus not yet credited is
void and a credited one clawed back from `available` (which may then owe), as a refund
after crediting does to an order rebate. Orders whose buyer is confirmed fraud count for
nothing: a run leaves them out (read under the orders' locks), and a confirmation coming
later takes them out of the bonuses that counted them (`drop_orders`, marking the link
`excluded_by`), which are lowered the same way (reason ring_confirmed).

The mall is told of a bonus when it is made: a `rebate.status_changed` from no status to
its first, written to the outbox in the run's transaction.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import orjson
from neo4j import ManagedTransaction

from graph import db, paging
from graph.audit import trail
from graph.errors import DomainError, not_found
from graph.money import ledger, team_rewards
from graph.money.rebates import STATUS_BUCKET, apply_risk
from graph.risk import signals
from graph.settings import get_settings
from graph.webhooks import outbox

KIND = "team_bonus"
FRAUD = "ring_confirmed"  # the reason of a bonus lowered because its orders were fraud
BEAT_ACTOR = "beat:team_rewards"


def bonus_id(reward_id: str, period: str, leader: str) -> str:
    """The one rebate id of a leader's bonus from a reward for a period (pure)."""
    return f"team:{reward_id}:{period}:{leader}"


def plan_bonuses(reward: dict[str, Any], period: str, paid_at: str,
                 counted: list[dict[str, Any]], amounts: dict[str, tuple[int, int]],
                 disabled: dict[str, bool]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bonus rows of the leaders whose team reached the threshold, and the links of the
    orders each counted (pure). `counted` rows are {leader, order_id, cents}; `amounts` maps
    an order id to (amount_cents, refunded_cents) as read under its lock."""
    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in counted:
        amount, refunded = amounts[row["order_id"]]
        if team_rewards.net_cents(row["cents"], amount, refunded) > 0:
            teams[row["leader"]].append(row)
    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for leader in sorted(teams):
        orders = teams[leader]
        sales = sum(team_rewards.net_cents(o["cents"], *amounts[o["order_id"]]) for o in orders)
        bonus = team_rewards.bonus_of(sales, reward["threshold_cents"], reward["bonus_cents"],
                                      reward["bonus_bp"])
        if bonus <= 0:
            continue
        rebate_id = bonus_id(reward["id"], period, leader)
        status, reason = "confirmed", None
        if disabled.get(leader):
            status, reason, bonus = "void", "inviter_disabled", 0
        rows.append({
            "rebate_id": rebate_id, "beneficiary": leader, "tier": reward["depth"],
            "amount_cents": bonus, "status": status, "reason": reason, "path": [leader],
            "paid_at": paid_at, "rule_ids": [reward["id"]], "team_reward_id": reward["id"],
            "period": period, "team_sales_cents": sales, "team_orders": len(orders),
            "threshold_cents": reward["threshold_cents"], "bonus_cents": reward["bonus_cents"],
            "bonus_bp": reward["bonus_bp"], "held_from": None, "held_reason": None,
            "hold_by": None})
        links.extend({"order_id": o["order_id"], "rebate_id": rebate_id, "cents": o["cents"]}
                     for o in orders)
    return rows, sorted(links, key=lambda r: (r["order_id"], r["rebate_id"]))


def _window(reward: dict[str, Any]) -> tuple[str | None, str | None]:
    """The instants the reward counts orders paid from and until (None: open)."""
    ends = [x for x in (reward["ends_at"], reward["retired_at"]) if x is not None]
    return reward["starts_at"], min(ends, key=datetime.fromisoformat) if ends else None


def _pay_in_tx(tx: ManagedTransaction, reward: dict[str, Any], period: str,
               now: datetime) -> dict[str, Any]:
    start, end = team_rewards.period_bounds(period)
    since, until = _window(reward)
    db.run(tx, "team_rewards.lock_run", reward_id=reward["id"], period=period)
    counted = db.run(tx, "team_rewards.team_sales", start=start.isoformat(),
                     end=end.isoformat(), now=now.isoformat(), category=reward["category"],
                     depth=reward["depth"], window_days=get_settings().return_window_days,
                     **{"from": since, "until": until})
    leaders = sorted({r["leader"] for r in counted})
    existing = set(db.run(tx, "team_rewards.existing",
                          ids=[bonus_id(reward["id"], period, x) for x in leaders])[0]["ids"])
    counted = [r for r in counted
               if bonus_id(reward["id"], period, r["leader"]) not in existing]
    order_ids = sorted({r["order_id"] for r in counted})
    # the orders' locks, then their refunds: a refund committing meanwhile is read here, and
    # one coming after finds the bonus through COUNTED_IN and lowers it (apply_refunds)
    db.run(tx, "rebates.lock_orders", ids=order_ids)
    # an order whose buyer is confirmed fraud counts as refunded in full; a confirmation
    # committing meanwhile held these orders' locks, so it is read here
    amounts = {r["order_id"]: (r["amount_cents"],
                               r["amount_cents"] if r["fraud"] else r["refunded_cents"])
               for r in db.run(tx, "team_rewards.order_amounts", ids=order_ids)}
    # the leaders' locks before their risk is read (LOCK ORDER: orders, then users): a ring
    # marking a leader meanwhile waits, and its holds then find the bonus
    disabled = {r["user_id"]: r["disabled"] for r in
                db.run(tx, "team_rewards.leaders", ids=sorted({r["leader"] for r in counted}))}
    rows, links = plan_bonuses(reward, period, end.isoformat(), counted, amounts, disabled)
    result = {"team_reward_id": reward["id"], "period": period, "created": len(rows),
              "bonus_cents": 0, "held": 0, "void": 0, "already_paid": len(existing)}
    if rows:
        apply_risk(rows, signals.hold_decisions(tx, [r["beneficiary"] for r in rows],
                                                get_settings().hold_score))
        db.run(tx, "team_rewards.create_bonuses", rows=rows, now=now.isoformat())
        db.run(tx, "team_rewards.link_counted", rows=links)
        outbox.rebate_changes(tx, [(r["rebate_id"], None) for r in rows], at=now)
        ledger.book(tx, [
            ledger.move(f"accrue:{r['rebate_id']}", "accrue", KIND, now, r["amount_cents"],
                        user_id=r["beneficiary"], source=ledger.POOL,
                        target=STATUS_BUCKET[r["status"]], rebate_id=r["rebate_id"])
            for r in rows if r["status"] != "void" and r["amount_cents"] > 0
        ], token=uuid.uuid4().hex)
        # last: a beneficiary link locks its user until the commit (LOCK ORDER)
        db.run(tx, "rebates.link_beneficiaries",
               rows=[{"rebate_id": r["rebate_id"], "beneficiary": r["beneficiary"]}
                     for r in rows])
        result["bonus_cents"] = sum(r["amount_cents"] for r in rows if r["status"] != "void")
        result["held"] = sum(r["status"] == "held" for r in rows)
        result["void"] = sum(r["status"] == "void" for r in rows)
    return result


def run_period(reward_id: str, period: str, *, actor: str, role: str,
               request_id: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Pay the team bonuses of a reward for a closed period: counts of what was created.
    Unknown reward: 404; a period whose return windows are not over: 422; a reward deeper
    than the tier cap (the cap was lowered since): 422 tier-limit, nothing paid. The run is
    marked and audited in its transaction."""
    now = now or datetime.now(UTC)
    reward = team_rewards.get(reward_id)
    if reward is None:
        raise not_found(f"team reward {reward_id!r}")
    team_rewards.check_closed(period, now)
    cap = get_settings().max_tiers
    if reward["depth"] > cap:
        raise DomainError("tier-limit", f"team reward {reward_id!r} counts {reward['depth']} "
                          f"tiers, over the tier cap of {cap}: it pays nothing")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        result = _pay_in_tx(tx, reward, period, now)
        db.run(tx, "team_rewards.mark_run", reward_id=reward_id, period=period,
               now=now.isoformat(), result=orjson.dumps(result).decode())
        trail.append(tx, actor=actor, role=role, action="team_reward.run",
                     target=f"team_reward:{reward_id}", after=result, request_id=request_id)
        return result

    return db.write(work)


def run_due(now: datetime | None = None) -> list[dict[str, Any]]:
    """Pay the latest periods that may be paid, for every reward that had not run them (the
    beat, daily). Only periods ending after the reward was created: an older one is paid
    on an admin's run alone. A reward that cannot pay (over the cap) is skipped."""
    now = now or datetime.now(UTC)
    periods = team_rewards.due_periods(now)
    results = []
    for reward in team_rewards.list_all():
        created = datetime.fromisoformat(reward["created_at"])
        wanted = [p for p in periods if team_rewards.period_bounds(p)[1] > created]
        if not wanted:
            continue
        done = set(db.read_query("team_rewards.runs_done",
                                 ids=[f"{reward['id']}:{p}" for p in wanted])[0]["ids"])
        for period in wanted:
            if f"{reward['id']}:{period}" in done:
                continue
            try:
                results.append(run_period(reward["id"], period, actor=BEAT_ACTOR,
                                          role="admin", now=now))
            except DomainError as error:
                results.append({"team_reward_id": reward["id"], "period": period,
                                "skipped": error.detail})
    return results


def apply_refunds(tx: ManagedTransaction, order_ids: list[str], at: datetime,
                  token: str) -> int:
    """Lower the team bonuses that counted refunded orders, in the refund's transaction:
    the team's sales are recomputed from every order the bonus counted, and a bonus whose
    team fell below the threshold is void (clawed back from `available` once credited; a bp
    bonus is lowered with the sales). Returns how many changed. Transaction ids name the
    sales left (`refund:<rebate>:<sales>`), so a replay books nothing."""
    ids = db.run(tx, "team_rewards.counted_bonuses", ids=order_ids)[0]["ids"]
    if not ids:
        return 0
    db.run(tx, "team_rewards.lock_bonuses", ids=ids)  # then read: what is current
    changed, txns = _lower(tx, ids, at, "refund")
    ledger.book(tx, txns, token)
    return len(changed)


def drop_orders(tx: ManagedTransaction, buyers: list[str], ids: list[str], by: str,
                at: datetime) -> tuple[list[dict[str, Any]], list[ledger.Txn]]:
    """Take the orders of `buyers`, confirmed fraud by `by`, out of the team sales of the
    bonuses `ids` that counted them (the caller locked the orders, then the bonuses), and
    lower those bonuses as a refund does, reason ring_confirmed. Returns the changes and
    their movements (`fraud:<rebate>:<sales>`), for the caller to book."""
    if not ids:
        return [], []
    db.run(tx, "team_rewards.exclude_orders", user_ids=buyers, ids=ids, by=by,
           at=at.isoformat())
    return _lower(tx, ids, at, "fraud")


def _lower(tx: ManagedTransaction, ids: list[str], at: datetime,
           cause: str) -> tuple[list[dict[str, Any]], list[ledger.Txn]]:
    """Recompute the locked bonuses `ids` from the orders they still count (`refund` or
    `fraud`), write their sales, amounts and statuses and tell the mall; returns the changes
    and the movements, not booked."""
    updates, sales, txns = [], [], []
    for r in db.run(tx, "team_rewards.bonus_context", ids=ids):
        if r["status"] == "void":
            continue
        left = sum(team_rewards.net_cents(c["cents"], c["amount_cents"], c["refunded_cents"])
                   for c in r["counted"] if c["cents"] is not None)
        target = min(r["amount_cents"], team_rewards.bonus_of(
            left, r["threshold_cents"], r["bonus_cents"], r["bonus_bp"]))
        sales.append({"rebate_id": r["rebate_id"], "team_sales_cents": left})
        delta = r["amount_cents"] - target
        if delta <= 0:
            continue
        credited = r["status"] == "credited"
        if cause == "refund":
            reason = "order_refunded" if target == 0 else "partial_refund"
            type_, memo = ("adjust" if credited else "refund"), None
        else:
            reason, type_, memo = FRAUD, ("adjust" if credited else "void"), FRAUD
        updates.append({"rebate_id": r["rebate_id"], "amount_cents": target,
                        "status": "void" if target == 0 and not credited else r["status"],
                        "reason": reason, "before": r["status"]})
        txns.append(ledger.move(
            f"{cause}:{r['rebate_id']}:{left}", type_, r["kind"], at, delta,
            user_id=r["beneficiary"], source=STATUS_BUCKET[r["status"]], target=ledger.POOL,
            rebate_id=r["rebate_id"], memo=memo))
    db.run(tx, "team_rewards.set_sales", rows=sales)
    if updates:
        db.run(tx, "team_rewards.adjust_bonuses", rows=updates, at=at.isoformat())
        outbox.rebate_changes(tx, [(u["rebate_id"], u["before"]) for u in updates], at=at)
    return updates, txns


def bonuses(reward_id: str, period: str | None, limit: int,
            cursor: str | None = None) -> dict[str, Any]:
    """A page of a reward's bonuses (of one period unless None), by period then leader,
    after the cursor's: items and next_cursor."""
    after = paging.decode(cursor, _bonus_key) or ""
    rows = db.read_query("team_rewards.bonuses", reward_id=reward_id, period=period,
                         after=after, limit=limit + 1)
    return paging.page(rows, limit, lambda r: [f"{r['period']}:{r['leader']}"])


def _bonus_key(keys: list[Any]) -> str:
    """The `<period>:<leader>` a bonuses cursor carries."""
    if len(keys) != 1 or type(keys[0]) is not str:
        raise ValueError("not a team bonus key")
    return str(keys[0])


def certificate(rebate_id: str) -> dict[str, Any] | None:
    """A team bonus's certificate: its leader, depth and every order it counted with the
    invite path from the order's buyer up to the leader (null where the leader is not
    1..depth steps above the buyer). `within_cap`: the depth is within the tier cap and every
    path exists. None for an unknown rebate or one of another kind."""
    found = db.read_query("rebates.path", rebate_id=rebate_id)
    if not found or found[0]["kind"] != KIND:
        return None
    orders = db.read_query("team_rewards.counted_paths", rebate_id=rebate_id)
    depth = found[0]["tier"]
    return {"rebate_id": rebate_id, "leader": found[0]["beneficiary"], "depth": depth,
            "max_tiers": get_settings().max_tiers, "amount_cents": found[0]["amount_cents"],
            "orders": orders,
            "within_cap": depth <= get_settings().max_tiers and bool(orders)
            and all(o["path"] is not None for o in orders)}
