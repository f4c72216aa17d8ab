"""The mall's growth reads: invite leaderboards and the referral channel's ROI, both read
from aggregates the worker folds as events arrive (graph/analytics.py, graph/leaderboards.py)."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, MallRole
from api.paging import CursorQuery, LimitQuery
from graph import analytics, leaderboards

router = APIRouter(prefix="/v1", tags=["growth"])


class LeaderboardEntry(BaseModel):
    rank: int
    user_id: str
    invitees: int
    orders: int
    rebate_cents: int


class Leaderboard(BaseModel):
    period: Literal["week", "month"]
    starts_on: str
    ends_before: str
    time_zone: str
    as_of: str | None
    entries: list[LeaderboardEntry]
    next_cursor: str | None


class RoiRow(BaseModel):
    key: str
    orders: int
    gmv_cents: int
    rebate_cents: int
    held_cents: int
    void_cents: int
    roi: float | None


class Roi(BaseModel):
    from_: str = Field(alias="from")
    to: str
    group_by: str
    time_zone: str
    as_of: str | None
    rows: list[RoiRow]


class FoldOut(BaseModel):
    days: int
    tallies: int
    since: str
    as_of: str


# Each kept answer is the bytes FastAPI would make of its response_model, made once.
_LEADERBOARD, _ROI = TypeAdapter(Leaderboard), TypeAdapter(Roi)


def _leaderboard_json(page: dict[str, Any]) -> bytes:
    return _LEADERBOARD.dump_json(_LEADERBOARD.validate_python(page))


def _roi_json(answer: dict[str, Any]) -> bytes:
    return _ROI.dump_json(_ROI.validate_python(answer), by_alias=True)


@router.get("/leaderboards/invites", response_model=Leaderboard)
async def get_invite_leaderboard(
    _: MallRole, period: Literal["week", "month"] = "week", limit: LimitQuery = 100,
    cursor: CursorQuery = None,
) -> Response:
    """The current week's or month's (Asia/Shanghai) inviters, most invitees first, with
    their invitees' orders and their cash rebates; users on a risk hold and ring members
    are left out (within two seconds of their hold); pages by `cursor`. As of the last fold
    (`as_of`, about a minute behind)."""
    body = await leaderboards.invites_async(period, limit, cursor, render=_leaderboard_json)
    return Response(body, media_type="application/json")


@router.get("/analytics/roi", response_model=Roi)
async def get_roi(
    _: AdminRole,
    from_: Annotated[date, Query(alias="from", description="first mall day, YYYY-MM-DD")],
    to: Annotated[date, Query(description="last mall day, YYYY-MM-DD (inclusive)")],
    group_by: Literal["rule", "category", "day"] = "day",
) -> Response:
    """GMV of invited buyers' orders paid in the period (Asia/Shanghai days), their rebates
    not void, held and void, and `roi` = GMV per yuan of rebate (null without rebate), per
    rule, category or day; at most 366 days. As of the last fold (`as_of`)."""
    body = await analytics.roi_async(from_, to, group_by, render=_roi_json)
    return Response(body, media_type="application/json")


@router.post("/analytics/fold", response_model=FoldOut)
async def fold_now(_: AdminRole) -> dict[str, Any]:
    """Fold what was written since the last fold into the leaderboards and ROI now (the
    worker does it every minute); answers the days and tallies redone and the new `as_of`."""
    return await run_in_threadpool(analytics.fold)
