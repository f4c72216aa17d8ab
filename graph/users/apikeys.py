"""API keys created, listed and revoked at run time, beside the bootstrap keys of
TIERGRAPH_API_KEYS. Only a key's sha256 is stored; every change is audited."""

import hashlib
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from graph import db
from graph.audit import trail
from graph.settings import ROLES

_CACHE_SECONDS = 2.0
_cache: dict[str, tuple[float, str | None]] = {}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(role: str, label: str, *, actor: str, actor_role: str,
           request_id: str | None = None) -> dict[str, Any]:
    """A new key for `role`: returns its id and the key itself (shown this once)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    key = "tg_" + secrets.token_urlsafe(32)
    record = {"id": "key_" + secrets.token_hex(6), "role": role, "label": label,
              "key_hash": key_hash(key), "created_by": actor}

    def work(tx: Any) -> None:
        db.run(tx, "apikeys.create", key=record, now=datetime.now(UTC))
        trail.append(tx, actor=actor, role=actor_role, action="apikey.create",
                     target=f"apikey:{record['id']}", after={"role": role, "label": label},
                     request_id=request_id)

    db.write(work)
    return {"id": record["id"], "role": role, "label": label, "key": key}


def list_keys() -> list[dict[str, Any]]:
    """Every run-time key with its role, label and dates (never the hash)."""
    return db.read_query("apikeys.list")


def revoke(key_id: str, *, actor: str, actor_role: str,
           request_id: str | None = None) -> bool | None:
    """Revoke a key: True if it was live, False if already revoked, None if unknown."""

    def work(tx: Any) -> bool | None:
        rows = db.run(tx, "apikeys.revoke", id=key_id, now=datetime.now(UTC))
        if not rows:
            return None
        if rows[0]["was_live"]:
            trail.append(tx, actor=actor, role=actor_role, action="apikey.revoke",
                         target=f"apikey:{key_id}", before={"role": rows[0]["role"]},
                         after={"revoked": True}, request_id=request_id)
        return bool(rows[0]["was_live"])

    result = db.write(work)
    _cache.clear()
    return result


def role_of(key: str) -> str | None:
    """The role of a live run-time key (cached for two seconds), or None."""
    digest = key_hash(key)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    rows = db.read_query("apikeys.by_hash", key_hash=digest)
    role = rows[0]["role"] if rows else None
    if len(_cache) > 10_000:
        _cache.clear()
    _cache[digest] = (now, role)
    return role
