"""Ring ids that stay stable across detection runs while a ring's members mostly stay."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """|a ∩ b| / |a ∪ b| of two member lists."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def mint_ring_id(members: Iterable[str]) -> str:
    """A ring id derived from its sorted members: ring-<12 hex of sha256>."""
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"ring-{digest[:12]}"


def stable_ring_ids(new: list[list[str]], previous: dict[str, list[str]]) -> list[str]:
    """An id per new ring: the id of a previous ring overlapping it with Jaccard > 0.5
    (matched one to one, best overlap first), else one minted from its members."""
    holders: dict[str, list[str]] = defaultdict(list)
    for ring_id, members in previous.items():
        for member in members:
            holders[member].append(ring_id)
    candidates = []
    for n, members in enumerate(new):
        for ring_id in sorted({r for m in members for r in holders.get(m, ())}):
            overlap = jaccard(members, previous[ring_id])
            if overlap > 0.5:
                candidates.append((-overlap, n, ring_id))
    ids: list[str | None] = [None] * len(new)
    taken: set[str] = set()
    for _, n, ring_id in sorted(candidates):
        if ids[n] is None and ring_id not in taken:
            ids[n] = ring_id
            taken.add(ring_id)
    return [ring_id or mint_ring_id(members) for ring_id, members in zip(ids, new, strict=True)]
