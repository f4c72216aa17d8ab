"""The invite tree: users, their upline and their downline, always within the tier cap.

Uplines are also kept in memory (`upline_async`, the API's route): an invitation is bound
once, when the invitee is stored, and never moves, so a found user's upline stays what the
traversal (cypher/invites/upline.cypher) answered until users or invitations are removed.
Whatever removes them (an erasure, `db.reset_database`) calls `forget_uplines` after its
commit: a counter in Redis (the epoch) is bumped, and every process drops its cache when
its watcher (`watch_uplines`, run by the API's lifespan) reads a new value, which it does
every POLL_SECONDS. A process whose watcher has not confirmed the epoch within
STALE_SECONDS (Redis down, no watcher) answers from the graph until it does.
A user not found is never cached: one registered a moment later is found.
"""

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis

from graph import db, paging, redis_clients
from graph.audit import trail
from graph.settings import get_settings
from graph.users.pii import decrypt, mask_phone

log = logging.getLogger(__name__)
POLL_SECONDS = 0.1  # the watcher reads the epoch this often
STALE_SECONDS = 2.0  # the cache serves only while the epoch was confirmed this recently


def get_user(user_id: str) -> dict[str, Any] | None:
    """A user with inviter, registration time, level and masked phone; None if unknown."""
    rows = db.read_query("invites.user", user_id=user_id)
    if not rows:
        return None
    row = rows[0]
    sealed = row.pop("phone_enc")
    row["phone"] = mask_phone(decrypt(sealed)) if sealed else None
    row["registered_at"] = db.to_native(row["registered_at"])
    return row


def set_disabled(user_id: str, disabled: bool, reason: str | None, actor: str, role: str,
                 request_id: str | None = None) -> bool | None:
    """Disable a user as a beneficiary (their future rebates are void, inviter_disabled) or
    enable them again, audited in the same transaction. Rebates already created are left
    as they are. Returns whether they were disabled before; None for an unknown user."""

    def work(tx: Any) -> bool | None:
        rows = db.run(tx, "invites.set_disabled", user_id=user_id, disabled=disabled,
                      reason=reason, at=datetime.now(UTC).isoformat())
        if not rows:
            return None
        trail.append(tx, actor=actor, role=role,
                     action="user.disable" if disabled else "user.enable",
                     target=f"user:{user_id}", before={"disabled": rows[0]["before"]},
                     after={"disabled": disabled, "reason": reason}, request_id=request_id)
        return bool(rows[0]["before"])

    return db.write(work)


def user_exists(user_id: str) -> bool:
    """Whether the user is registered."""
    return bool(db.read_query("invites.user_exists", user_id=user_id)[0]["found"])


def upline(user_id: str, depth: int) -> list[dict[str, Any]] | None:
    """[{tier, user_id}] from the inviter (tier 1) up to `depth` tiers; None if no such user."""
    row = db.read_query("invites.upline", user_id=user_id)[0]
    if not row["found"]:
        return None
    return [{"tier": n, "user_id": a} for n, a in enumerate(row["upline"][:depth], start=1)]


class UplineCache:
    """Uplines (ids, inviter first, up to the legal three tiers) by user id, the least
    recently used dropped past `limit` entries. Served only while fresh: the Redis epoch
    confirmed within STALE_SECONDS. A fill that began before a clear is not stored (its
    ticket is out of date), so an answer read before an erasure cannot come back after."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = clock
        self._generation = 0
        self._epoch: int | None = None
        self._confirmed_at = -math.inf
        self.hits = self.misses = 0  # answers from memory, and those that read the graph

    def fresh(self) -> bool:
        """Whether the cache may answer: its epoch was confirmed within STALE_SECONDS."""
        return self._clock() - self._confirmed_at < STALE_SECONDS

    def get(self, user_id: str) -> tuple[str, ...] | None:
        """The cached upline of `user_id`, or None (not cached, or the cache is not fresh)."""
        if not self.fresh():
            self.misses += 1
            return None
        with self._lock:
            found = self._entries.get(user_id)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(user_id)
            return found

    def ticket(self) -> int:
        """Taken before reading the graph, handed to `put`."""
        return self._generation

    def put(self, user_id: str, upline: tuple[str, ...], ticket: int, limit: int) -> None:
        """Keep an upline read from the graph, unless the cache was cleared since `ticket`
        was taken or is not fresh; at most `limit` entries (0: nothing is kept)."""
        if limit <= 0 or not self.fresh():
            return
        with self._lock:
            if ticket != self._generation:
                return
            self._entries[user_id] = upline
            self._entries.move_to_end(user_id)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry; fills under way are not stored."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def confirm(self, epoch: int) -> None:
        """The epoch as Redis has it now: a new one clears the cache; either way it may
        answer for STALE_SECONDS more."""
        with self._lock:
            if epoch != self._epoch:
                self._generation += 1
                self._entries.clear()
                self._epoch = epoch
            self._confirmed_at = self._clock()

    def unconfirm(self) -> None:
        """Stop answering until the epoch is confirmed again (Redis unreachable, no watcher)."""
        self._confirmed_at = -math.inf

    def __len__(self) -> int:
        return len(self._entries)


_uplines = UplineCache()
db.after_reset(_uplines.clear)


def cached_uplines() -> UplineCache:
    """This process's upline cache (for the tests and the watcher)."""
    return _uplines


async def upline_async(user_id: str, depth: int) -> list[dict[str, Any]] | None:
    """`upline` for the API: from this process's cache when it holds the user, else by the
    traversal on the event loop (db.read_query_async), kept for the next call when found."""
    cached = _uplines.get(user_id)
    if cached is None:
        ticket = _uplines.ticket()
        row = (await db.read_query_async("invites.upline", user_id=user_id))[0]
        if not row["found"]:
            return None
        cached = tuple(row["upline"])
        _uplines.put(user_id, cached, ticket, get_settings().upline_cache_size)
    return [{"tier": n, "user_id": a} for n, a in enumerate(cached[:depth], start=1)]


def forget_uplines() -> None:
    """Drop the cached uplines of every process: call after a commit that removed users
    or invitations (an erasure). Raises if Redis cannot be told."""
    _uplines.clear()
    redis_clients.uplines_changed()


async def watch_uplines() -> None:
    """Keep this process's cache in step with `forget_uplines` anywhere: read the epoch
    every POLL_SECONDS until cancelled. While Redis cannot be reached the cache stops
    answering (STALE_SECONDS after the last read)."""
    client = redis_clients.app_async()
    warned = False
    try:
        while not _cancelling():
            try:
                _uplines.confirm(int(await client.get(redis_clients.UPLINES_EPOCH_KEY) or 0))
                warned = False
            except (redis.RedisError, OSError, ValueError) as error:
                _uplines.unconfirm()
                if not warned:
                    log.warning("cached uplines not used, Redis unavailable: %s", error)
                    warned = True
            await asyncio.sleep(POLL_SECONDS)
    finally:
        _uplines.unconfirm()
        await client.aclose()


def _cancelling() -> bool:
    """Whether this task was asked to stop (a cancel the Redis client swallowed included)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def downline(user_id: str, depth: int, limit: int, offset: int = 0,
             cursor: str | None = None) -> dict[str, Any]:
    """Counts per tier down to `depth`, and one page of members ordered by tier then id
    (after the cursor's member, or skipping `offset`), with the next page's cursor."""
    after = paging.decode(cursor, _member_keys) or (None, None)

    def work(tx: Any) -> dict[str, Any]:
        counts = db.run(tx, "invites.downline_counts", user_id=user_id, depth=depth)
        page = db.run(tx, "invites.downline_page", user_id=user_id, depth=depth, skip=offset,
                      limit=limit + 1, after_tier=after[0], after_id=after[1])
        return {"counts": counts, "members": page}

    result = db.read(work)
    for member in result["members"]:
        member["registered_at"] = db.to_native(member["registered_at"])
    by_tier = {c["tier"]: c["users"] for c in result["counts"]}
    shown = paging.page(result["members"], limit, lambda m: [m["tier"], m["user_id"]])
    return {
        "counts": [{"tier": t, "users": by_tier.get(t, 0)} for t in range(1, depth + 1)],
        "total": sum(by_tier.values()),
        "members": shown["items"],
        "offset": offset,
        "limit": limit,
        "next_cursor": shown["next_cursor"],
    }


def _member_keys(keys: list[Any]) -> tuple[int, str]:
    """The (tier, user id) a downline cursor carries."""
    tier, member = keys
    if type(tier) is not int or type(member) is not str:
        raise ValueError("not a downline key")
    return tier, member


def uplines(user_ids: list[str], depth: int) -> dict[str, list[str]]:
    """Upline ids (nearest first, at most `depth`) of many users in one round trip;
    unknown users are absent."""
    rows = db.read_query("invites.uplines_batch", ids=user_ids)[0]["rows"]
    return {r[0]: [a for a in r[1:] if a is not None][:depth] for r in rows}
