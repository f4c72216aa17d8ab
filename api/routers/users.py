"""Users: registration, profile, upline and downline."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr, TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.auth import AdminRole, MallOrRiskRole, MallRole
from api.body import read_json
from api.paging import CursorQuery, LimitQuery
from graph.errors import DomainError, not_found
from graph.ingest.batch import ingest_raw
from graph.ingest.events import Phone
from graph.settings import get_settings
from graph.users import invites, pii

router = APIRouter(prefix="/v1/users", tags=["users"])


class UserOut(BaseModel):
    user_id: str
    invited_by: str | None
    registered_at: datetime
    level: int
    phone: str | None
    disabled: bool = False  # as a beneficiary: new rebates to the user are void


class UplineEntry(BaseModel):
    tier: int
    user_id: str


class Upline(BaseModel):
    user_id: str
    depth: int
    upline: list[UplineEntry]


_UPLINE = TypeAdapter(Upline)


class TierCount(BaseModel):
    tier: int
    users: int


class DownlineMember(BaseModel):
    tier: int
    user_id: str
    registered_at: datetime


class Downline(BaseModel):
    user_id: str
    depth: int
    counts: list[TierCount]
    total: int
    members: list[DownlineMember]
    offset: int
    limit: int
    next_cursor: str | None


class UsersFound(BaseModel):
    users: list[str]


class ClearPhone(BaseModel):
    user_id: str
    phone: str | None

USER_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["user_id", "at"],
            "properties": {
                "user_id": {"type": "string"}, "invited_by": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
                "level": {"type": "integer"}, "phone": {"type": "string"},
            },
        }}},
    }
}
_STATUS_FOR_REASON = {"conflict": 409, "inviter_conflict": 409}


def _depth(depth: int | None) -> int:
    """The depth asked for, or the cap when none is (3, or 2 under WeChat's rules)."""
    cap = get_settings().max_tiers
    if depth is None:
        return cap
    if depth > cap:
        raise DomainError("tier-limit", f"depth {depth} is beyond the tier cap of {cap} "
                                        "(TIERGRAPH_MAX_TIERS)")
    return depth


def _user_or_404(user_id: str) -> dict[str, Any]:
    user = invites.get_user(user_id)
    if user is None:
        raise not_found(f"user {user_id!r}")
    return user


@router.post("", status_code=201, response_model=UserOut, openapi_extra=USER_BODY)
async def register_user(request: Request, response: Response, _: MallRole) -> dict[str, Any]:
    """Register a user (as a user_registered event); replaying the same body answers 200."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise DomainError("validation", "the body is a JSON object")
    result = await run_in_threadpool(ingest_raw, [{**body, "type": "user_registered"}])
    if result.rejected:
        refusal = result.rejected[0]
        status = _STATUS_FOR_REASON.get(refusal.reason, 422)
        raise DomainError(refusal.reason.replace("_", "-"), refusal.detail, status,
                          reason=refusal.reason)
    if result.duplicates:
        response.status_code = 200
    return await run_in_threadpool(_user_or_404, body["user_id"])


@router.get("", response_model=UsersFound)
def find_users(_: MallRole,
               phone: Annotated[Phone, Query(description="E.164 phone")]) -> dict[str, Any]:
    """Users registered with a phone, found by its keyed hash (phones are never stored clear)."""
    return {"users": pii.users_by_phone(phone)}


@router.get("/{user_id}/phone", response_model=ClearPhone)
def get_clear_phone(
    user_id: str, request: Request, role: AdminRole,
    reason: Annotated[str, Query(min_length=5, max_length=500,
                                 description="Why the clear value is needed (audited).")],
) -> dict[str, Any]:
    """The unmasked phone, for admins only, with a reason; the access is audited first."""
    found = pii.read_clear_phone(user_id, reason=reason, actor=request.state.actor, role=role,
                                 request_id=request.state.request_id)
    if found is None:
        raise not_found(f"user {user_id!r}")
    return found


class DisableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[StrictStr, Field(min_length=5, max_length=500)]


@router.post("/{user_id}/disable", response_model=UserOut)
async def disable_user(user_id: str, body: DisableIn, request: Request,
                       role: AdminRole) -> dict[str, Any]:
    """Stop paying a user: rebates that would pay them from now on are created void
    (inviter_disabled); those already created are left as they are. Audited with the reason."""
    return await _set_disabled(user_id, True, body.reason, request, role)


@router.post("/{user_id}/enable", response_model=UserOut)
async def enable_user(user_id: str, request: Request, role: AdminRole) -> dict[str, Any]:
    """Pay a disabled user again, for rebates created from now on. Audited."""
    return await _set_disabled(user_id, False, None, request, role)


async def _set_disabled(user_id: str, disabled: bool, reason: str | None, request: Request,
                        role: str) -> dict[str, Any]:
    before = await run_in_threadpool(invites.set_disabled, user_id, disabled, reason,
                                     request.state.actor, role, request.state.request_id)
    if before is None:
        raise not_found(f"user {user_id!r}")
    return _user_or_404(user_id)


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: str, _: MallOrRiskRole) -> dict[str, Any]:
    """A user with inviter, registration time, level and masked phone."""
    return _user_or_404(user_id)


@router.get("/{user_id}/upline", response_model=Upline)
async def get_upline(
    user_id: str, _: MallOrRiskRole,
    depth: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Response:
    """The buyer's inviter (tier 1) and that person's uplines, up to depth (at most the cap)."""
    depth = _depth(depth)
    rows = await invites.upline_async(user_id, depth)
    if rows is None:
        raise not_found(f"user {user_id!r}")
    # The bytes FastAPI makes of a response_model (validated, then pydantic's dump_json),
    # made here on the event loop: no thread for the serialisation either.
    answer = _UPLINE.validate_python({"user_id": user_id, "depth": depth, "upline": rows})
    return Response(_UPLINE.dump_json(answer), media_type="application/json")


@router.get("/{user_id}/downline", response_model=Downline)
def get_downline(
    user_id: str, _: MallOrRiskRole,
    depth: Annotated[int | None, Query(ge=1, le=100)] = None,
    limit: LimitQuery = 100,
    cursor: CursorQuery = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000,
                                 description="older paging: prefer cursor")] = 0,
) -> dict[str, Any]:
    """Users per tier below this user, and one page of them (tier, then id); page on with
    next_cursor."""
    depth = _depth(depth)
    if not invites.user_exists(user_id):
        raise not_found(f"user {user_id!r}")
    return {"user_id": user_id, "depth": depth,
            **invites.downline(user_id, depth, limit, offset, cursor)}
