"""Withdrawals: requested by the mall for a user, approved by two admins above the threshold."""

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, MallRole
from graph.errors import not_found
from graph.ingest.events import ID_PATTERN, MAX_CENTS
from graph.money import withdrawals

router = APIRouter(prefix="/v1/withdrawals", tags=["withdrawals"])


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    withdrawal_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    user_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    amount_cents: Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]


class WithdrawalOut(BaseModel):
    withdrawal_id: str
    user_id: str
    amount_cents: int
    status: str
    reason: str | None
    approvals: list[str]
    created_at: str
    updated_at: str
    gateway_state: str | None


@router.post("", status_code=201, response_model=WithdrawalOut)
async def request_withdrawal(body: WithdrawalIn, response: Response, _: MallRole) -> dict[str, Any]:
    """Withdraw available cash: completed at once under the review threshold, else
    pending_review; a replay of the same withdrawal_id answers 200 with what is stored."""
    found, created = await run_in_threadpool(
        withdrawals.request, body.withdrawal_id, body.user_id, body.amount_cents)
    if not created:
        response.status_code = 200
    return found


@router.get("/{withdrawal_id}", response_model=WithdrawalOut)
def get_withdrawal(withdrawal_id: str, _: MallRole) -> dict[str, Any]:
    """A withdrawal's status."""
    found = withdrawals.get(withdrawal_id)
    if found is None:
        raise not_found(f"withdrawal {withdrawal_id!r}")
    return found


@router.post("/{withdrawal_id}/approve", response_model=WithdrawalOut)
def approve_withdrawal(withdrawal_id: str, request: Request, role: AdminRole) -> dict[str, Any]:
    """Approve a withdrawal under review; the second different admin sends it. Audited."""
    return withdrawals.approve(withdrawal_id, actor=request.state.actor, role=role,
                               request_id=request.state.request_id)
