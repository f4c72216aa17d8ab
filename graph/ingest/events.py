"""The six event types the mall sends, and their validation (pure: no database).

Every event is checked on its own here: shape, types, ids, money, times. Checks that
need the graph (unknown inviter, cycles, conflicting replays) live in `graph.ingest`.
"""

import hashlib
import ipaddress
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from graph.users.pii import lookup_hash

# Ids are opaque to us but must be safe to show, log and index: letters, digits and a
# few separators, at most 64 characters.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"
MAX_CENTS = 10**12  # ten billion yuan: far above any real order, far below float trouble

Id = Annotated[StrictStr, Field(pattern=ID_PATTERN)]
Cents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)  # excluded: the last instant is 2100-12-31T23:59:59Z
MAX_OFFSET = timedelta(hours=18)


def checked_time(value: datetime) -> datetime:
    """A time given to the API, refused with a reason unless the graph can hold it sensibly.

    It must carry an offset (ISO 8601, e.g. 2026-01-02T10:00:00+08:00) of at most ±18:00,
    the widest any zone uses and the widest Neo4j stores. As an instant it must fall from
    2000-01-01T00:00:00Z up to 2100-12-31T23:59:59Z: year 0001, 9999-12-31T23:59:59+14:00
    and the like are typos or probes, and an order dated 2999 would wait out its return
    window forever. The bound is fixed rather than relative to the clock, so validation
    stays pure: a replayed event is judged the same whenever it arrives. The offset is kept;
    `When` converts to UTC for storage.
    """
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("time must carry an offset, e.g. 2026-01-02T10:00:00+08:00")
    if abs(offset) > MAX_OFFSET:
        raise ValueError("the offset must lie between -18:00 and +18:00")
    if not EARLIEST <= value < LATEST:  # compared as instants: no conversion can overflow
        raise ValueError("time must fall between 2000-01-01T00:00:00Z and 2100-12-31T23:59:59Z")
    return value


def _utc(value: datetime) -> datetime:
    return checked_time(value).astimezone(UTC)


@lru_cache(maxsize=1 << 16)
def _ip(value: str) -> str:
    # A mall's sessions and orders come from far fewer addresses than events: parsing each
    # once keeps ipaddress out of the import's profile.
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None


When = Annotated[datetime, AfterValidator(_utc)]  # stored as UTC
Instant = Annotated[datetime, AfterValidator(checked_time)]  # offset kept as given
IpAddr = Annotated[StrictStr, Field(max_length=45), AfterValidator(_ip)]
Phone = Annotated[StrictStr, Field(pattern=r"^\+?[0-9]{6,15}$")]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def fingerprint(self) -> str:
        """Digest of the event's content: equal digests mean a replay, not a conflict."""
        body = self.model_dump(mode="json", exclude={"type"})
        return hashlib.sha1(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


class UserRegistered(_Event):
    type: Literal["user_registered"]
    user_id: Id
    invited_by: Id | None = None
    at: When
    level: Annotated[StrictInt, Field(ge=0, le=100)] = 0
    phone: Phone | None = None

    def fingerprint(self) -> str:
        """As for every event, but over the phone's keyed hash, never the clear phone."""
        body = self.model_dump(mode="json", exclude={"type", "phone"})
        body["phone_hash"] = lookup_hash(self.phone) if self.phone else None
        return hashlib.sha1(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()

    @model_validator(mode="after")
    def _not_self_invited(self) -> "UserRegistered":
        if self.invited_by == self.user_id:
            raise SelfInvite(self.user_id)
        return self


class Session(_Event):
    type: Literal["session"]
    user_id: Id
    device_id: Id | None = None
    ip: IpAddr | None = None
    at: When


class UserLevelChanged(_Event):
    """A member's level from `at` on: an order earns at the level each beneficiary had when
    it was paid. Replays are harmless (the event's content is its identity)."""

    type: Literal["user_level_changed"]
    user_id: Id
    level: Annotated[StrictInt, Field(ge=0, le=100)]
    at: When


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sku: Id
    category: Annotated[StrictStr, Field(pattern=r"^[a-z0-9_-]{1,40}$")] | None = None
    amount_cents: Cents


class OrderPaid(_Event):
    type: Literal["order_paid"]
    order_id: Id
    user_id: Id
    amount_cents: Cents
    currency: Literal["CNY"]
    items: Annotated[list[Item], Field(min_length=1, max_length=500)]
    device_id: Id | None = None
    ip: IpAddr | None = None
    payment_account: Id | None = None
    shipping_address: Id | None = None
    at: When

    @model_validator(mode="after")
    def _items_sum_to_amount(self) -> "OrderPaid":
        total = sum(item.amount_cents for item in self.items)
        if total != self.amount_cents:
            raise ValueError(f"items sum to {total} cents but amount_cents is {self.amount_cents}")
        return self


class OrderRefunded(_Event):
    type: Literal["order_refunded"]
    order_id: Id
    refund_id: Id
    amount_cents: Cents
    at: When


class OrderCompleted(_Event):
    type: Literal["order_completed"]
    order_id: Id
    at: When


Event = Annotated[
    UserRegistered | Session | OrderPaid | OrderRefunded | OrderCompleted | UserLevelChanged,
    Field(discriminator="type"),
]
EVENT_TYPES = ("user_registered", "session", "order_paid", "order_refunded", "order_completed",
               "user_level_changed")
_adapter: TypeAdapter[Any] = TypeAdapter(Event)


class SelfInvite(ValueError):
    """A user named as their own inviter."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} cannot invite themselves")


class Rejection(BaseModel):
    """Why one event of a batch was refused; `index` is its position in the batch."""

    index: int
    reason: str
    detail: str


MAX_DEPTH = 8  # an event nests four levels (event, items, an item, a value): deeper is a probe
MAX_DETAIL = 400  # a refusal's detail is a sentence, whatever the event held


def _shown(value: Any) -> str:
    """A value as a refusal may quote it: a string cut to 40 characters, anything else by its
    JSON kind only (never its text, which may be deep or huge)."""
    if isinstance(value, str):
        return repr(value[:40])
    if value is None or isinstance(value, bool):
        return orjson.dumps(value).decode()
    kinds = {int: "a number", float: "a number", list: "a list", dict: "an object"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a value")


def _too_deep(raw: dict[str, Any]) -> str | None:
    """The first field of an event whose value nests beyond MAX_DEPTH levels, or None. The
    walk keeps its own stack (no recursion), so no nesting the JSON parser lets through
    can exhaust Python's."""
    for key, value in raw.items():
        if type(value) is not list and type(value) is not dict:
            continue  # most fields: nothing to walk
        stack = [(value, 2)]
        while stack:
            item, depth = stack.pop()
            if depth > MAX_DEPTH:
                return key if isinstance(key, str) else _shown(key)
            children = item.values() if type(item) is dict else item
            stack.extend((child, depth + 1) for child in children
                         if type(child) is list or type(child) is dict)
    return None


def _describe(error: ValidationError) -> str:
    parts = []
    for e in error.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p)[:40] for p in e["loc"][1:] if p != "function-after") or "event"
        message = e["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)[:MAX_DETAIL]


def parse_event(index: int, raw: Any) -> Any:
    """One raw JSON value as an event, or a `Rejection` saying why it is not one."""
    if not isinstance(raw, dict):
        return Rejection(index=index, reason="invalid_event", detail="an event is a JSON object")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        return Rejection(
            index=index,
            reason="unknown_type",
            detail=f"type must be one of {', '.join(EVENT_TYPES)}; got {_shown(kind)}",
        )
    deep = _too_deep(raw)
    if deep is not None:
        return Rejection(index=index, reason="invalid_event",
                         detail=f"{deep[:40]}: nested deeper than {MAX_DEPTH} levels")
    try:
        return _adapter.validate_python(raw)
    except ValidationError as error:
        if any(isinstance(e.get("ctx", {}).get("error"), SelfInvite)
               for e in error.errors(include_input=False)):
            return Rejection(index=index, reason="self_invite", detail=_describe(error))
        return Rejection(index=index, reason="invalid_event", detail=_describe(error))


def parse_line(index: int, line: str | bytes) -> Any:
    """One NDJSON line as an event or a `Rejection` (malformed JSON included)."""
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return Rejection(index=index, reason="malformed_json", detail=str(error)[:200])
    return parse_event(index, raw)
