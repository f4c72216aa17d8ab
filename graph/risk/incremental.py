"""Incremental detection (pure): which connected components of the user-user graph a run
detects again, detecting only those, and which stored rings stay as they are.

A component whose users' edges no write since the last run can have changed is the component
it was then: same edges, same weights, same orders, so the same communities and scores. That
is more than "no user of it touched": an identifier's weight depends on how many users share
it (`user_graph.identifier_weight`) and a pair's share on each user's uses of its kind, so a
touched user (a registration, session, order or refund written) changes the edges of the
others on its identifiers too, and an invite edge counts only while both its users have
identifier edges. Those users are *affected* (`affected_users`). `detect_touched` runs
`communities.detect` with the whole weighted graph built, and its community step and scoring
on the components holding an affected user only: on the same graph, so those components come
out exactly as a full run would find them. docs/detection.md ("When detection runs") tells
the rest.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from graph.risk.projection import Projection
from graph.risk.scoring import DetectedRing
from graph.risk.user_graph import MAX_SHARE, Index, UserGraph

FULL = "full"
INCREMENTAL = "incremental"
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class LastRun:
    """What the last successful run left for the next: `since`, the time from which a write
    may not have been seen by it (its start, or the start of a write still open then); its
    seed and scorer (the ring model's version, or "rules"); when the last full run started."""

    since: datetime
    seed: int
    scorer: str
    full_at: datetime


def choose_mode(last: LastRun | None, seed: int, scorer: str, full: bool, now: datetime,
                full_every_days: int) -> tuple[str, str]:
    """`full` or `incremental`, and why. Full when asked, on the first run, when the seed or
    the scorer differs from the last run's (the rings kept would not be what this run finds
    or how it scores), and when the last full run is `full_every_days` old (0: always)."""
    if full:
        return FULL, "asked"
    if last is None:
        return FULL, "first run"
    if last.seed != seed:
        return FULL, "seed changed"
    if last.scorer != scorer:
        return FULL, "scorer changed"
    if full_every_days <= 0:
        return FULL, "every run is full"
    if now - last.full_at >= timedelta(days=full_every_days):
        return FULL, f"last full run {full_every_days} days ago or more"
    return INCREMENTAL, "since the last run"


def affected_users(projection: Projection, touched: Iterable[str]) -> set[str]:
    """The users whose edges a write since the last run may have changed: the touched users;
    every user sharing an identifier with one where that identifier can weigh (its users
    now, less the touched ones, who may be new on it, were at most MAX_SHARE: over that both
    before and now, it was skipped both times); and the inviters and invitees of those."""
    touched = set(touched)
    theirs = {usage[1:3] for usage in projection.usages if usage.user_id in touched}
    users_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for usage in projection.usages:
        key = usage[1:3]  # (kind, ident): a slice is quicker than two attribute reads
        if key in theirs:
            users_of[key].append(usage.user_id)
    affected = set(touched)
    for users in users_of.values():
        if len(users) - sum(1 for u in users if u in touched) <= MAX_SHARE:
            affected.update(users)
    # An invite edge joins two users only while both have identifier edges, which an
    # affected user may have gained or lost: its inviter and invitees may change component.
    linked: set[str] = set()
    for user, info in projection.users.items():
        if info.inviter is not None and (user in affected or info.inviter in affected):
            linked.update((user, info.inviter))
    return (affected | linked) & set(projection.users)


@dataclass
class Plan:
    """The users an incremental run detects again (the components holding an affected user,
    and affected users in none), and how many components it detects again and keeps."""

    rerun: set[str]
    components_rerun: int
    components_kept: int


def detect_touched(projection: Projection, touched: Iterable[str], seed: int = 0,
                   progress: Progress | None = None) -> tuple[list[DetectedRing], Plan]:
    """`communities.detect` on the components holding a user affected by the `touched` ones:
    the same index, groups and graph as a full run, communities and scoring only there.
    Returns the rings found there and the plan."""
    # networkx comes with communities: loaded only by the processes that detect
    from graph.risk import communities

    plans: list[Plan] = []

    def choose(index: Index, graph: UserGraph) -> set[int]:
        affected = {index.ids[name] for name in affected_users(projection, touched)}
        found = communities.components(set(graph.adjacency), graph.weights)
        chosen = [c for c in found if any(uid in affected for uid in c)]
        keep = {uid for component in chosen for uid in component}
        plans.append(Plan(rerun={index.names[uid] for uid in keep | affected},
                          components_rerun=len(chosen),
                          components_kept=len(found) - len(chosen)))
        return keep

    rings = communities.detect(projection, seed=seed, progress=progress, only=choose)
    return rings, plans[0]


def kept_rings(previous: dict[str, list[str]], rerun: set[str]) -> list[str]:
    """The previous rings (id: members) an incremental run keeps as they are: those with no
    member among the users detected again, sorted. A ring with a member there is detected
    again, and lapses if it is not found again."""
    return sorted(ring_id for ring_id, members in previous.items()
                  if members and not any(member in rerun for member in members))
