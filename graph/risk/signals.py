"""Risk signals of one user: codes, a sentence each, the evidence ids and a weight.

The facts come from two Cypher reads over the user's neighbourhood (`risk.user_facts`, cheap
enough to run for every buyer of a rebate batch, and `risk.user_activity`, read when an
analyst opens the user); turning them into signals is pure and lives here.

A user's score combines the weights as independent evidence, 1 - prod(1 - w). Rebates of
orders by a user scoring at or above TIERGRAPH_HOLD_SCORE are held (`risk_hold`) when they
are computed. No single signal reaches the default 0.7 alone: a household sharing a phone
and inviting each other trips `self_referral`, and that alone must not hold a family's
money; it takes two independent signs (a device farm with a self-referral, a brand-new
chain with money shared up it).
"""

from dataclasses import dataclass, field
from typing import Any

from graph import db

DEVICE_FARM_USERS = 10  # accounts on one device before it looks like a farm
NEW_ACCOUNT_SECONDS = 24 * 3600  # "soon after registering"
LARGE_ORDER_CENTS = 100_000  # 1,000 yuan: a large first order for a day-old account
CHAIN_SECONDS = 48 * 3600  # a chain of accounts all registered within two days
VELOCITY_WINDOW_SECONDS = 24 * 3600
VELOCITY_INVITES = 20  # invitees in any 24 hours
BURST_SECONDS = 3600
BURST_ACCOUNTS = 10  # other accounts appearing (or ordering) on one IP within the hour
MAX_IP_USERS = 5_000  # beyond that an IP is a carrier NAT: no burst is read from it

WEIGHTS = {
    "device_farm": 0.6,
    "new_account_chain": 0.5,
    "self_referral": 0.4,
    "new_account_large_order": 0.3,
    "ip_burst": 0.3,
    "invite_velocity": 0.3,
}


@dataclass(frozen=True)
class Signal:
    code: str
    detail: str
    evidence: list[str] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return WEIGHTS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, "evidence": self.evidence,
                "weight": self.weight}


def score(signals: list[Signal]) -> float:
    """Independent evidence combined: 1 - prod(1 - weight), rounded to 3 places."""
    rest = 1.0
    for signal in signals:
        rest *= 1.0 - signal.weight
    return round(1.0 - rest, 3)


def cheap_signals(facts: dict[str, Any]) -> list[Signal]:
    """Signals from one row of `risk.user_facts`."""
    out: list[Signal] = []
    farms = sorted((d for d in facts["devices"] if d["users"] >= DEVICE_FARM_USERS),
                   key=lambda d: (-d["users"], d["id"]))
    if farms:
        top = farms[0]
        out.append(Signal("device_farm",
                          f"device {top['id']} is used by {top['users']} accounts",
                          [f"device:{d['id']}" for d in farms]))
    shared = sorted(facts["shared_with_inviter"])
    if shared and facts["inviter"]:
        out.append(Signal("self_referral",
                          f"shares {', '.join(shared)} with its inviter {facts['inviter']}",
                          [f"user:{facts['inviter']}", *shared]))
    large = sorted((o for o in facts["early_orders"] if o["amount_cents"] >= LARGE_ORDER_CENTS),
                   key=lambda o: o["id"])
    if large:
        first = min(large, key=lambda o: o["after_seconds"])
        out.append(Signal(
            "new_account_large_order",
            f"order {first['id']} of {first['amount_cents']} cents came "
            f"{first['after_seconds'] // 60} minutes after registering",
            [f"order:{o['id']}" for o in large]))
    chain = new_account_chain(facts["registered_at"], facts["upline_registered"])
    if chain:
        upline = facts["upline"]
        out.append(Signal(
            "new_account_chain",
            f"it and its two uplines {upline[0]}, {upline[1]} all registered within "
            f"{CHAIN_SECONDS // 3600} hours, under organiser {upline[2]}",
            [f"user:{u}" for u in upline[:3]]))
    return out


def new_account_chain(registered_at: int, upline_registered: list[int]) -> bool:
    """The user and its tier-1 and tier-2 uplines registered within CHAIN_SECONDS of each
    other, with an older organiser at tier 3: the shape of a farm harvesting every tier."""
    if len(upline_registered) < 3:
        return False
    times = [registered_at, upline_registered[0], upline_registered[1]]
    return max(times) - min(times) <= CHAIN_SECONDS and upline_registered[2] < min(times)


def activity_signals(user_id: str, activity: dict[str, Any]) -> list[Signal]:
    """Signals from `risk.user_activity` (invite velocity, IP bursts of registrations or
    of orders)."""
    out: list[Signal] = []
    times = activity["invitee_times"]
    most, start = max_in_window(times, VELOCITY_WINDOW_SECONDS)
    if most >= VELOCITY_INVITES:
        out.append(Signal("invite_velocity",
                          f"{user_id} invited {most} accounts within 24 hours",
                          [f"user:{v}" for v in activity["invitees"][start:start + most]]))
    # one ip_burst signal, whether accounts appeared on an IP in a burst, ordered from it in
    # a burst, or both (its weight counts once)
    details: list[str] = []
    evidence: list[str] = []
    bursts = sorted((b for b in activity["ip_bursts"] if len(b["accounts"]) >= BURST_ACCOUNTS),
                    key=lambda b: (-len(b["accounts"]), b["ip"]))
    if bursts:
        top = bursts[0]
        details.append(f"{len(top['accounts'])} other accounts appeared on IP {top['ip']} "
                       f"within an hour of it")
        evidence += [f"ip:{b['ip']}" for b in bursts]
    order_bursts = sorted((b for b in activity.get("order_bursts", [])
                           if len(b["buyers"]) >= BURST_ACCOUNTS),
                          key=lambda b: (-len(b["buyers"]), b["ip"]))
    if order_bursts:
        top = order_bursts[0]
        details.append(f"{len(top['orders'])} orders by {len(top['buyers'])} other accounts "
                       f"came from IP {top['ip']} within an hour of one of its orders")
        evidence += [f"ip:{b['ip']}" for b in order_bursts if f"ip:{b['ip']}" not in evidence]
        evidence += [f"order:{o}" for o in sorted(top["orders"])]
    if details:
        out.append(Signal("ip_burst", "; ".join(details), evidence))
    return out


def max_in_window(times: list[int], window: int) -> tuple[int, int]:
    """The most sorted times inside any window of `window` seconds, and where it starts."""
    best, best_start, start = 0, 0, 0
    for end in range(len(times)):
        while times[end] - times[start] > window:
            start += 1
        if end - start + 1 > best:
            best, best_start = end - start + 1, start
    return best, best_start


def facts_of(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """`risk.user_facts` rows by user id (read-only, auto-commit)."""
    rows = db.read_rows("risk.user_facts", ids=list(user_ids), new_seconds=NEW_ACCOUNT_SECONDS)
    return {r["user_id"]: r for r in rows}


def hold_decisions(tx: Any, user_ids: list[str], hold_score: float) -> dict[str, str]:
    """What the rebates of each buyer should be at creation, in the caller's transaction:
    `void` (a confirmed ring member), `held:<holder>` (an open ring at or above the hold
    score, or strong signals) or absent (pending as usual)."""
    out: dict[str, str] = {}
    rows = db.run_rows(tx, "risk.user_facts", ids=list(user_ids), new_seconds=NEW_ACCOUNT_SECONDS)
    for facts in rows:
        user_id = facts["user_id"]
        if facts["risk_confirmed"]:
            out[user_id] = "void"
        elif facts["hold_ring"]:
            out[user_id] = f"held:{facts['hold_ring']}"
        elif not facts["risk_cleared"] and score(cheap_signals(facts)) >= hold_score:
            out[user_id] = f"held:signals:{user_id}"
    return out
