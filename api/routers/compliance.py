"""Compliance: the tier report and rebate path certificates."""

from typing import Any

from fastapi import APIRouter

from api.auth import ComplianceRole
from api.errors import Problem
from api.schemas import RebatePath, TierReport
from graph import compliance
from graph.money import rebates

router = APIRouter(prefix="/v1/compliance", tags=["compliance"])


@router.get("/tier-report", response_model=TierReport)
def get_tier_report(_: ComplianceRole) -> dict[str, Any]:
    """Proof over the whole graph that no payout went beyond the tier cap, with a digest."""
    return compliance.tier_report()


@router.get("/rebates/{rebate_id}/path", response_model=RebatePath)
def get_rebate_path(rebate_id: str, _: ComplianceRole) -> dict[str, Any]:
    """The invite path a rebate was paid along, as the graph stood at payment."""
    found = rebates.rebate_path(rebate_id)
    if found is None:
        raise Problem(404, "not-found", f"no rebate {rebate_id!r}")
    return found
