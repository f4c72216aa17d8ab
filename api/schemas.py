"""Response shapes of the API (requests are validated by graph.ingest.events)."""

from datetime import datetime

from pydantic import BaseModel


class Rejected(BaseModel):
    index: int
    reason: str
    detail: str


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[Rejected]


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


class RebateOut(BaseModel):
    rebate_id: str
    beneficiary: str
    tier: int
    kind: str
    amount_cents: int
    status: str
    reason: str | None


class OrderRebates(BaseModel):
    order_id: str
    computed: bool
    rebates: list[RebateOut]


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


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = {}


class UsersFound(BaseModel):
    users: list[str]


class ClearPhone(BaseModel):
    user_id: str
    phone: str | None
