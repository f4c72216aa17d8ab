"""Withdrawals: requested by the mall for a user, reviewed by admins when the user's total of
the day reaches the threshold (two approve, one rejects, or the mall cancels)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, MallRole, ShownActor
from api.paging import CursorQuery, LimitQuery
from graph.errors import not_found
from graph.ingest.events import ID_PATTERN, MAX_CENTS
from graph.money import withdrawals
from graph.money.withdrawals import Actor

router = APIRouter(tags=["withdrawals"])
PREFIX = "/v1/withdrawals"
Status = Literal["pending_review", "processing", "completed", "failed", "rejected", "cancelled",
                 "expired"]
StatusQuery = Annotated[Status | None, Query(description="only withdrawals of this status")]


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    withdrawal_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    user_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    amount_cents: Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[StrictStr | None, Field(max_length=1000)] = None


class WithdrawalOut(BaseModel):
    withdrawal_id: str
    user_id: str
    amount_cents: int
    status: str
    reason: str | None
    note: str | None = None
    approvals: list[ShownActor]  # admins' key fingerprints only to admin
    created_at: str
    updated_at: str
    gateway_state: str | None


class WithdrawalPage(BaseModel):
    items: list[WithdrawalOut]
    next_cursor: str | None


def _by(request: Request) -> Actor:
    return Actor(request.state.actor, request.state.role, request.state.request_id)


@router.post(PREFIX, status_code=201, response_model=WithdrawalOut)
async def request_withdrawal(body: WithdrawalIn, request: Request, response: Response,
                             _: MallRole) -> dict[str, Any]:
    """Withdraw available cash: completed at once while the user's total of the day stays
    under the review threshold, else pending_review; refused (risk-blocked) while risk holds
    the user. A replay of the same withdrawal_id answers 200 with what is stored, and a 503
    (Retry-After) is safe to retry with the same withdrawal_id."""
    found, created = await run_in_threadpool(
        withdrawals.request, body.withdrawal_id, body.user_id, body.amount_cents,
        by=_by(request))
    if not created:
        response.status_code = 200
    return found


@router.get(PREFIX, response_model=WithdrawalPage)
def list_withdrawals(_: AdminRole, status: StatusQuery = None, limit: LimitQuery = 100,
                     cursor: CursorQuery = None) -> dict[str, Any]:
    """Withdrawals oldest first, a page at a time; status=pending_review is the review queue."""
    return withdrawals.list_all(status, limit, cursor)


@router.get(PREFIX + "/{withdrawal_id}", response_model=WithdrawalOut)
def get_withdrawal(withdrawal_id: str, _: MallRole) -> dict[str, Any]:
    """A withdrawal's status."""
    found = withdrawals.get(withdrawal_id)
    if found is None:
        raise not_found(f"withdrawal {withdrawal_id!r}")
    return found


@router.post(PREFIX + "/{withdrawal_id}/approve", response_model=WithdrawalOut)
def approve_withdrawal(withdrawal_id: str, request: Request, _: AdminRole) -> dict[str, Any]:
    """Approve a withdrawal under review; the second different admin sends it. Audited."""
    return withdrawals.approve(withdrawal_id, by=_by(request))


@router.post(PREFIX + "/{withdrawal_id}/reject", response_model=WithdrawalOut)
def reject_withdrawal(withdrawal_id: str, request: Request, _: AdminRole,
                      body: Annotated[RejectIn | None, Body()] = None) -> dict[str, Any]:
    """Reject a withdrawal under review: its money returns to available. Audited."""
    return withdrawals.reject(withdrawal_id, body.note if body else None, by=_by(request))


@router.post(PREFIX + "/{withdrawal_id}/cancel", response_model=WithdrawalOut)
def cancel_withdrawal(withdrawal_id: str, request: Request, _: MallRole) -> dict[str, Any]:
    """Cancel a withdrawal while it is pending_review: its money returns to available."""
    return withdrawals.cancel(withdrawal_id, by=_by(request))


@router.get("/v1/users/{user_id}/withdrawals", response_model=WithdrawalPage)
def list_user_withdrawals(user_id: str, _: MallRole, status: StatusQuery = None,
                          limit: LimitQuery = 100, cursor: CursorQuery = None) -> dict[str, Any]:
    """A user's withdrawals, newest first, a page at a time."""
    return withdrawals.list_of_user(user_id, status, limit, cursor)
