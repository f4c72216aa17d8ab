"""The double-entry ledger: every movement of money or points has legs that sum to zero,
between a user's buckets, the mall's `pool` and the payout `gateway`; balances are sums of
legs, never stored. Movements have deterministic ids, so booking one twice books it once; a
rebate's accrual is held on the rebate itself (docs/design.md).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from neo4j import ManagedTransaction

from graph import db

POOL = "pool"
GATEWAY = "gateway"
MALL_BUCKETS = (POOL, GATEWAY)  # the mall's own accounts: not part of any user's balance
OWING_BUCKET = "available"  # the one user bucket that may go below zero (a refund after credit)
USER_BUCKETS = ("pending", "confirmed", "payable", "held", "available", "withdrawing")
# Rebate kinds paid in cash: their movements are booked, and their balance kept, as cash.
CASH_REBATE_KINDS = ("team_bonus",)


class Leg(NamedTuple):
    """One entry of a movement: `amount_cents` into (or, below zero, out of) a bucket.
    A tuple: a rebate computation makes two for each of its rebates, a settlement six."""

    bucket: str
    amount_cents: int
    user_id: str | None = None  # None for the pool and the gateway


@dataclass(frozen=True, slots=True)
class Txn:
    """One movement: its legs sum to zero."""

    id: str
    type: str  # accrue, confirm, payable, credit, refund, adjust, reserve, withdraw, unreserve
    kind: str  # cash or points
    at: datetime
    legs: tuple[Leg, ...]
    rebate_id: str | None = None
    memo: str | None = None

    def __post_init__(self) -> None:
        if sum([leg.amount_cents for leg in self.legs]) != 0:
            raise ValueError(f"ledger transaction {self.id} does not balance: {self.legs}")


def move(txn_id: str, type_: str, kind: str, at: datetime, amount: int, *,
         user_id: str, source: str, target: str, rebate_id: str | None = None,
         memo: str | None = None) -> Txn:
    """Move `amount` from one bucket to another; `pool`/`gateway` are the mall's accounts.
    A rebate kind paid in cash (a team bonus) moves cash."""
    kind = "cash" if kind in CASH_REBATE_KINDS else kind
    legs = (Leg(source, -amount, None if source in MALL_BUCKETS else user_id),
            Leg(target, amount, None if target in MALL_BUCKETS else user_id))
    return Txn(id=txn_id, type=type_, kind=kind, at=at, rebate_id=rebate_id, memo=memo,
               legs=legs)


def stored_legs(t: Txn) -> tuple[list[str], list[int], str | None]:
    """A movement's legs as they are stored: its buckets and amounts as two parallel lists
    (legs of zero left out) and the one user they concern (None for the mall's alone).
    Refuses a movement whose legs name two users."""
    buckets, amounts, users = [], [], set()
    for bucket, cents, user_id in t.legs:
        if cents:
            buckets.append(bucket)
            amounts.append(cents)
            if user_id is not None:
                users.add(user_id)
    if len(users) > 1:
        raise ValueError(f"ledger transaction {t.id} moves money of several users: {users}")
    return buckets, amounts, next(iter(users), None)


def book(tx: ManagedTransaction, txns: list[Txn], token: str) -> int:
    """Store transactions not stored yet (same id: skipped); returns how many were new.

    Each is one LedgerTxn holding its legs (cypher/ledger/book.cypher); legs of zero are
    left out. A movement concerns one user at most: its legs outside the mall's accounts
    all belong to that user.
    """
    if not txns:
        return 0
    rows = []
    for t in txns:
        buckets, amounts, user_id = stored_legs(t)
        rows.append({
            "id": t.id, "type": t.type, "kind": t.kind, "at": t.at.isoformat(),
            "rebate_id": t.rebate_id, "memo": t.memo, "user_id": user_id,
            "buckets": buckets, "amounts": amounts,
        })
    return int(db.run(tx, "ledger.book", txns=rows, token=token)[0]["booked"])


@dataclass
class Balance:
    pending: int = 0
    confirmed: int = 0
    payable: int = 0
    credited: int = 0
    held: int = 0
    withdrawn: int = 0
    available: int = 0
    withdrawing: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def user_sums(user_id: str, tx: ManagedTransaction | None = None) -> list[dict[str, Any]]:
    """The user's ledger legs summed by kind, bucket and transaction type (the mall's own
    buckets left out), in the caller's transaction if one is given."""
    if tx is not None:
        return db.run(tx, "ledger.user_sums", user_id=user_id, mall_buckets=MALL_BUCKETS)
    return db.read_query("ledger.user_sums", user_id=user_id, mall_buckets=MALL_BUCKETS)


def balances(user_id: str, tx: ManagedTransaction | None = None) -> dict[str, dict[str, int]]:
    """Per kind (cash, points): each bucket, lifetime credited and withdrawn, available, and
    `withdrawing` (reserved for a transfer under way).

    `available` below zero is a debt from a refund after crediting; later credits pay it
    down first (they land in the same bucket).
    """
    out = {kind: Balance() for kind in ("cash", "points")}
    for row in user_sums(user_id, tx):
        balance = out.setdefault(row["kind"], Balance())
        if row["bucket"] in USER_BUCKETS:
            setattr(balance, row["bucket"], getattr(balance, row["bucket"]) + row["cents"])
        if row["type"] == "credit" and row["bucket"] == "available":
            balance.credited += row["cents"]
        if row["type"] == "withdraw" and row["bucket"] == "withdrawing":
            balance.withdrawn -= row["cents"]
    return {kind: {k: v for k, v in vars(b).items() if k != "extra"} for kind, b in out.items()}


def check() -> dict[str, Any]:
    """Whole-ledger invariants: entries sum to zero overall and per transaction."""
    return db.read_query("ledger.check", mall_buckets=MALL_BUCKETS, owing=OWING_BUCKET)[0]
