"""The whole-ledger check (admin): invariants, the pool's balance and the liabilities."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.auth import AdminRole
from graph.money import books

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


class LedgerInvariants(BaseModel):
    total: int
    entries: int
    txns: int
    unbalanced: int
    negative_buckets: int


class Debt(BaseModel):
    cents: int
    users: int


class KindTotals(BaseModel):
    pool_cents: int
    gateway_cents: int
    liabilities: dict[str, int]
    liabilities_total: int
    debts: dict[str, Debt]
    debt_total: int
    balanced: bool


class LedgerCheck(BaseModel):
    ok: bool
    problems: list[str]
    checked_at: str
    ledger: LedgerInvariants
    kinds: dict[str, KindTotals]


@router.get("/check", response_model=LedgerCheck)
def check_ledger(_: AdminRole) -> dict[str, Any]:
    """Check the whole ledger (every movement and the total sum to zero, no user bucket but
    `available` below zero) and give, per kind, the pool's balance, what was paid out through
    the gateway, what users are owed by bucket and what they owe. Reads every movement."""
    return books.report()
