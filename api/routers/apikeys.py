"""Run-time API keys (admin): create (the key is shown once), list, revoke. Audited."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from api.auth import AdminRole
from graph.errors import not_found
from graph.users import apikeys

router = APIRouter(prefix="/v1/apikeys", tags=["apikeys"])


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["mall", "risk", "compliance", "admin"]
    label: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class KeyCreated(BaseModel):
    id: str
    role: str
    label: str
    key: str


class KeyInfo(BaseModel):
    id: str
    role: str
    label: str
    created_by: str
    created_at: str
    revoked_at: str | None


class KeyList(BaseModel):
    keys: list[KeyInfo]


@router.post("", status_code=201, response_model=KeyCreated)
def create_key(body: KeyIn, request: Request, role: AdminRole) -> dict[str, Any]:
    """Create a key; the answer is the only time the key itself is shown."""
    return apikeys.create(body.role, body.label, actor=request.state.actor, actor_role=role,
                          request_id=request.state.request_id)


@router.get("", response_model=KeyList)
def list_keys(_: AdminRole) -> dict[str, Any]:
    """Run-time keys with role, label and dates (bootstrap keys are not listed)."""
    return {"keys": apikeys.list_keys()}


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: str, request: Request, role: AdminRole) -> None:
    """Revoke a key: it stops working within two seconds everywhere, at once here."""
    if apikeys.revoke(key_id, actor=request.state.actor, actor_role=role,
                      request_id=request.state.request_id) is None:
        raise not_found(f"API key {key_id!r}")
