"""Money a user sees (rebates, balances) and the operator's settlement run."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, MallOrRiskRole, MallRole
from api.paging import CursorQuery, LimitQuery
from graph.errors import DomainError, not_found
from graph.ingest.events import ID_PATTERN, Instant
from graph.money import adjustments, ledger, points, rebates, settlement
from graph.users import invites

router = APIRouter(prefix="/v1", tags=["money"])
Status = Literal["pending", "confirmed", "payable", "credited", "held", "void"]


class UserRebate(BaseModel):
    rebate_id: str
    order_id: str | None  # null for a team bonus (kind team_bonus): no one order earns it
    tier: int
    kind: str
    amount_cents: int
    original_cents: int
    status: str
    reason: str | None
    paid_at: datetime


class UserRebates(BaseModel):
    user_id: str
    rebates: list[UserRebate]
    next_cursor: str | None


class Buckets(BaseModel):
    pending: int
    confirmed: int
    payable: int
    credited: int
    held: int
    withdrawn: int
    available: int
    withdrawing: int


class BalanceOut(BaseModel):
    user_id: str
    cash: Buckets
    points: Buckets


ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970: as_of is ISO 8601 text only
    if not isinstance(value, str) or not ISO_DATE_TIME.match(value):
        raise ValueError("as_of must be an ISO 8601 time with an offset, "
                         "e.g. 2026-01-02T10:00:00+08:00")
    return value


class SettlementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: Annotated[Instant, BeforeValidator(_iso_text)]


class SettlementOut(BaseModel):
    as_of: str
    confirmed: int
    payable: int
    credited: int


def _known(user_id: str) -> None:
    if not invites.user_exists(user_id):
        raise not_found(f"user {user_id!r}")


@router.get("/users/{user_id}/rebates", response_model=UserRebates)
def get_user_rebates(
    user_id: str, _: MallOrRiskRole, status: Status | None = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000,
                                 description="older paging: prefer cursor")] = 0,
) -> dict[str, Any]:
    """Rebates paid to this user, newest first: order, tier, amount, status and reason; page
    on with next_cursor."""
    _known(user_id)
    found = rebates.rebates_of_user(user_id, status, limit, offset, cursor)
    return {"user_id": user_id, "rebates": found["items"], "next_cursor": found["next_cursor"]}


@router.get("/users/{user_id}/balance", response_model=BalanceOut)
def get_balance(user_id: str, _: MallOrRiskRole) -> dict[str, Any]:
    """Cash and points per status, derived from the ledger; available below zero is a debt."""
    _known(user_id)
    return {"user_id": user_id, **ledger.balances(user_id)}


@router.post("/settlement/run", response_model=SettlementOut)
async def run_settlement(body: SettlementIn, request: Request, role: AdminRole) -> dict[str, Any]:
    """Move everything due as of `as_of` (confirm, make payable, credit); a second run for the
    same time moves nothing. The run is audited. An `as_of` later than now + 5 minutes is 422
    `as-of-in-future`, more than ten years back 422 `as-of-too-old`."""
    return await run_in_threadpool(settlement.run, body.as_of, request.state.actor, role,
                                   request.state.request_id)


class ConversionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversion_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    points: Annotated[StrictInt, Field(gt=0, le=10**12)]


class ConversionOut(BaseModel):
    conversion_id: str
    user_id: str
    points: int
    cents: int
    at: str


@router.post("/users/{user_id}/points/convert", status_code=201, response_model=ConversionOut)
def convert_points(user_id: str, body: ConversionIn, request: Request, response: Response,
                   role: MallRole) -> dict[str, Any]:
    """Convert available points into available cash at TIERGRAPH_POINTS_PER_YUAN; a replay
    of the same conversion_id answers 200 with what is stored."""
    found, created = points.convert(body.conversion_id, user_id, body.points,
                                    actor=request.state.actor, role=role,
                                    request_id=request.state.request_id)
    if not created:
        response.status_code = 200
    return found


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    redemption_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    points: Annotated[StrictInt, Field(gt=0, le=10**12)]
    item: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class RedemptionOut(BaseModel):
    redemption_id: str
    user_id: str
    points: int
    item: str
    at: str


@router.post("/users/{user_id}/points/redeem", status_code=201, response_model=RedemptionOut)
def redeem_points(user_id: str, body: RedemptionIn, request: Request, response: Response,
                  role: MallRole) -> dict[str, Any]:
    """Spend available points (the oldest first) on an item the mall ships; a replay of the
    same redemption answers 200 with what is stored, another body under its id is 409, more
    points than available 422 insufficient_balance."""
    found, created = points.redeem(body.redemption_id, user_id, body.points, body.item,
                                   actor=request.state.actor, role=role,
                                   request_id=request.state.request_id)
    if not created:
        response.status_code = 200
    return found


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    adjustment_id: Annotated[StrictStr, Field(pattern=ID_PATTERN)]
    kind: Literal["cash", "points"] = "cash"
    amount_cents: Annotated[StrictInt, Field(ge=-10**10, le=10**10)]
    reason: Annotated[StrictStr, Field(min_length=3, max_length=500)]


class AdjustmentOut(BaseModel):
    adjustment_id: str
    user_id: str
    kind: str
    amount_cents: int
    reason: str
    actor: str
    at: str


@router.post("/users/{user_id}/adjustments", status_code=201, response_model=AdjustmentOut)
async def adjust_balance(user_id: str, body: AdjustmentIn, request: Request, response: Response,
                         role: AdminRole) -> dict[str, Any]:
    """Credit (positive) or debit (negative) the user's available balance with a reason: one
    ledger transaction against the pool, audited; a replay of the same adjustment_id answers
    200. A debit below zero is 422 insufficient_balance."""
    if body.amount_cents == 0:
        raise DomainError("validation", "amount_cents is not zero", reason="invalid_amount")
    found, created = await run_in_threadpool(
        lambda: adjustments.adjust(body.adjustment_id, user_id, body.kind, body.amount_cents,
                                   body.reason, actor=request.state.actor, role=role,
                                   request_id=request.state.request_id))
    if not created:
        response.status_code = 200
    return found
