"""Compliance: the tier report and rebate path certificates."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.auth import ComplianceRole
from graph import compliance
from graph.errors import not_found
from graph.money import rebates

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


class RebatePath(BaseModel):
    rebate_id: str
    order_id: str
    tier: int
    kind: str
    amount_cents: int
    beneficiary: str
    path: list[str]
    paid_at: datetime


class Violation(BaseModel):
    code: str
    count: int
    detail: str
    examples: list[str]


class TierReport(BaseModel):
    max_tiers: int
    legal_max_tiers: int
    max_paid_tier: int
    rebates_checked: int
    violations: list[Violation]
    rules_checked: int
    rules_over_limit: list[str]
    users_checked: int
    invite_cycles: int
    invite_cycle_examples: list[str]
    multiple_inviters: int
    multiple_inviter_examples: list[str]
    compliant: bool
    generated_at: str
    digest: str


@router.get("/tier-report", response_model=TierReport)
def get_tier_report(_: ComplianceRole) -> dict[str, Any]:
    """Proof over the whole graph that no payout went beyond the tier cap, with a digest."""
    return compliance.tier_report()


@router.get("/rebates/{rebate_id}/path", response_model=RebatePath)
def get_rebate_path(rebate_id: str, _: ComplianceRole) -> dict[str, Any]:
    """The invite path a rebate was paid along, as the graph stood at payment."""
    found = rebates.rebate_path(rebate_id)
    if found is None:
        raise not_found(f"rebate {rebate_id!r}")
    return found
