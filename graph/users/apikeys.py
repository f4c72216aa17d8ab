"""API keys created, listed and revoked at run time, beside the bootstrap keys of
TIERGRAPH_API_KEYS. Only a key's sha256 is stored; every change is audited.

Keys are checked from memory: a map of every run-time key, read whole from the graph when it
is older than REFRESH_SECONDS and at once after a create or revoke in this process. A request
with an unknown key costs no Neo4j lookup, and a key revoked elsewhere (the CLI, another API
process) stops working within REFRESH_SECONDS.
"""

import hashlib
import logging
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any, NamedTuple

from neo4j.exceptions import DriverError, Neo4jError

from graph import db
from graph.audit import trail
from graph.settings import ROLES

log = logging.getLogger(__name__)
REFRESH_SECONDS = 2.0
FINGERPRINT_CHARS = 12  # the audit log's actors name a key by this much of its sha256


class KeyMap(NamedTuple):
    """The run-time keys as last read: live roles by key hash, every key's (role, label) by
    fingerprint, and when and for which generation the map was read."""

    roles: dict[str, str]
    labels: dict[str, tuple[str, str]]
    loaded_at: float
    generation: int


_map: KeyMap | None = None
_generation = 0  # bumped by each create and revoke: a map read before it is stale
_lock = threading.Lock()


def key_hash(key: str) -> str:
    """The sha256 of a key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(key: str) -> str:
    """The short name of a key in audit actors (`role:fingerprint`): its hash's first chars."""
    return key_hash(key)[:FINGERPRINT_CHARS]


def _read() -> KeyMap:
    generation = _generation
    rows = db.read_query("apikeys.all")
    return KeyMap(roles={r["key_hash"]: r["role"] for r in rows if r["live"]},
                  labels={r["key_hash"][:FINGERPRINT_CHARS]: (r["role"], r["label"])
                          for r in rows},
                  loaded_at=time.monotonic(), generation=generation)


def refresh() -> None:
    """Read the run-time keys again now (after a change made in this or another process)."""
    global _map, _generation
    with _lock:
        _generation += 1  # first: if the read fails, the map in hand is stale all the same
        _map = _read()


def _after_change() -> None:
    try:
        refresh()
    except (Neo4jError, DriverError) as error:  # the change committed; the map catches up later
        log.warning("API keys not re-read after a change: %s", error)


def _current() -> KeyMap:
    """The key map, re-read by one thread when stale while the others use the one they have.
    With no map yet every caller waits for the first read (and sees its error)."""
    global _map
    known = _map
    if known is not None and known.generation == _generation and \
            time.monotonic() - known.loaded_at < REFRESH_SECONDS:
        return known
    if known is None:
        with _lock:
            if _map is None:
                _map = _read()
            return _map
    if _lock.acquire(blocking=False):
        try:
            _map = _read()
        except (Neo4jError, DriverError) as error:  # keep the keys known; try again later
            log.warning("API keys not re-read, using those read before: %s", error)
            _map = known._replace(loaded_at=time.monotonic())
        finally:
            _lock.release()
    return _map or known


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
    _after_change()
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
    _after_change()
    return result


def is_current() -> bool:
    """Whether `role_of` would answer from the map in hand, without reading the graph (the
    API's check, on its event loop, sends the lookup to a thread otherwise)."""
    known = _map
    return known is not None and known.generation == _generation and \
        time.monotonic() - known.loaded_at < REFRESH_SECONDS


def role_of(key: str) -> str | None:
    """The role of a live run-time key, or None; from memory (see the module's docstring)."""
    return _current().roles.get(key_hash(key))


def label_of(key_fingerprint: str) -> tuple[str, str] | None:
    """The role and label of the run-time key with this fingerprint (live or revoked)."""
    return _current().labels.get(key_fingerprint)
