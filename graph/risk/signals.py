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

Shared cards and addresses: a payment account paid with by many accounts is one operator
or someone paying for others (a reseller, a parent); an address used by many accounts is as
often a parcel locker, an office or a dorm. So an address counts only when the accounts on it
are concentrated on the user's card too (at least half of them), and never without the card:
lockers, offices and promotions (strangers registered on one promoter's phone) share an address
or a device honestly, but not a card. A card and an address both shared by the same accounts
hold; either alone does not.
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
SHARED_OTHERS = 5  # other accounts on one card (and address): beyond a household of 2-4
ADDRESS_CONCENTRATION = 0.5  # share of an address's other accounts on the user's card too
SHARED_READ_CAP = 100  # accounts read per card or address: bounds the read at a busy locker
EVIDENCE_ACCOUNTS = 20  # accounts listed as evidence; the sentence gives the count

WEIGHTS = {
    "device_farm": 0.6,
    "shared_payment_account": 0.5,
    "shared_address": 0.5,
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


def cheap_signals(facts: dict[str, Any],
                  device_accounts: dict[str, list[str]] | None = None) -> list[Signal]:
    """Signals from one row of `risk.user_facts`; `device_accounts` (other accounts by
    device, read for the user page) adds the accounts to a device farm's evidence."""
    out: list[Signal] = []
    farms = sorted((d for d in facts["devices"] if d["users"] >= DEVICE_FARM_USERS),
                   key=lambda d: (-d["users"], d["id"]))
    if farms:
        top = farms[0]
        accounts = [a for d in farms for a in (device_accounts or {}).get(d["id"], [])]
        out.append(Signal("device_farm",
                          f"device {top['id']} is used by {top['users']} accounts",
                          [f"device:{d['id']}" for d in farms] + user_evidence(accounts)))
    out += shared_signals(facts)
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


def shared_signals(facts: dict[str, Any]) -> list[Signal]:
    """`shared_payment_account` and `shared_address` from `risk.user_facts`."""
    out: list[Signal] = []
    cards = sorted((c for c in facts["shared_payment_accounts"]
                    if len(c["others"]) >= SHARED_OTHERS),
                   key=lambda c: (-len(c["others"]), c["id"]))
    if cards:
        top = cards[0]
        out.append(Signal(
            "shared_payment_account",
            f"payment account {top['id']} is used by {how_many(len(top['others']))} other "
            f"accounts too",
            [f"payment_account:{c['id']}" for c in cards]
            + user_evidence([a for c in cards for a in c["others"]])))
    places = sorted((a for a in facts["shared_addresses"] if concentrated(a)),
                    key=lambda a: (-len(a["linked"]), a["id"]))
    if cards and places:
        top = places[0]
        out.append(Signal(
            "shared_address",
            f"{len(top['linked'])} of the {how_many(top['accounts'])} other accounts "
            f"shipping to address {top['id']} share its payment account",
            [f"address:{a['id']}" for a in places]
            + user_evidence([u for a in places for u in a["linked"]])))
    return out


def concentrated(place: dict[str, Any]) -> bool:
    """Enough of an address's other accounts share the user's card: a farm's own address,
    not a locker or an office where a few of many buyers do."""
    linked = len(place["linked"])
    return linked >= SHARED_OTHERS and linked >= ADDRESS_CONCENTRATION * place["accounts"]


def how_many(n: int) -> str:
    """A number of accounts read up to SHARED_READ_CAP, as the sentence says it."""
    return f"{n} or more" if n >= SHARED_READ_CAP else str(n)


def user_evidence(accounts: list[str]) -> list[str]:
    """Distinct account ids as `user:` evidence, sorted, at most EVIDENCE_ACCOUNTS."""
    return [f"user:{a}" for a in sorted(set(accounts))[:EVIDENCE_ACCOUNTS]]


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


FACT_PARAMS = {"new_seconds": NEW_ACCOUNT_SECONDS, "shared_others": SHARED_OTHERS,
               "read_cap": SHARED_READ_CAP}


def facts_of(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """`risk.user_facts` rows by user id (read-only, auto-commit)."""
    rows = db.read_rows("risk.user_facts", ids=list(user_ids), **FACT_PARAMS)
    return {r["user_id"]: r for r in rows}


def hold_decisions(tx: Any, user_ids: list[str], hold_score: float) -> dict[str, str]:
    """What the rebates of each buyer should be at creation, in the caller's transaction:
    `void` (a confirmed ring member), `held:<holder>` (an open ring at or above the hold
    score, or strong signals) or absent (pending as usual)."""
    out: dict[str, str] = {}
    rows = db.run_rows(tx, "risk.user_facts", ids=list(user_ids), **FACT_PARAMS)
    for facts in rows:
        user_id = facts["user_id"]
        if facts["risk_confirmed"]:
            out[user_id] = "void"
        elif facts["hold_ring"]:
            out[user_id] = f"held:{facts['hold_ring']}"
        elif not facts["risk_cleared"] and score(cheap_signals(facts)) >= hold_score:
            out[user_id] = f"held:signals:{user_id}"
    return out
