"""The invite tree: users, their upline and their downline, always within the tier cap."""

from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.users.pii import decrypt, mask_phone


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


def downline(user_id: str, depth: int, limit: int, offset: int = 0) -> dict[str, Any]:
    """Counts per tier down to `depth`, and one page of members ordered by tier then id."""

    def work(tx: Any) -> dict[str, Any]:
        counts = db.run(tx, "invites.downline_counts", user_id=user_id, depth=depth)
        page = db.run(
            tx, "invites.downline_page", user_id=user_id, depth=depth, skip=offset, limit=limit
        )
        return {"counts": counts, "members": page}

    result = db.read(work)
    for member in result["members"]:
        member["registered_at"] = db.to_native(member["registered_at"])
    by_tier = {c["tier"]: c["users"] for c in result["counts"]}
    return {
        "counts": [{"tier": t, "users": by_tier.get(t, 0)} for t in range(1, depth + 1)],
        "total": sum(by_tier.values()),
        "members": result["members"],
        "offset": offset,
        "limit": limit,
    }


def uplines(user_ids: list[str], depth: int) -> dict[str, list[str]]:
    """Upline ids (nearest first, at most `depth`) of many users in one round trip;
    unknown users are absent."""
    rows = db.read_query("invites.uplines_batch", ids=user_ids)[0]["rows"]
    return {r[0]: [a for a in r[1:] if a is not None][:depth] for r in rows}
