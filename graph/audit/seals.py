"""The audit store: where the audit log is sealed, out of the application's reach.

A Redis server of its own keeps the log as one stream, `audit:log`, with the stream id
`<seq>-1` per entry. The application's account may only append to and read that stream; the
administrator's serves set-up, `db reset`, backups and restores alone
(docs/security.md).
"""

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote, urlparse

import redis

from graph import redis_clients
from graph.settings import Settings

STREAM = "audit:log"
ADMIN_USER = "audit-admin"
# What the application's account may do, and on which key: nothing that changes an entry.
APP_COMMANDS = ("xadd", "xrange", "xrevrange", "xlen", "ping")


class AuditStoreError(RuntimeError):
    """The audit store refused or could not be reached."""


def app_credentials(settings: Settings) -> tuple[str, str]:
    """The application's user and password, as TIERGRAPH_AUDIT_STORE_URL carries them."""
    url = urlparse(settings.audit_store_url)
    if not url.username or not url.password:
        raise ValueError("TIERGRAPH_AUDIT_STORE_URL must carry a user and password "
                         "(redis://user:password@host:port/0)")
    return unquote(url.username), unquote(url.password)


def acl_lines(settings: Settings) -> list[str]:
    """The ACL of the audit store's server: the default user off, the application's
    append-and-read account, and the administrator. Passwords only as sha256 (`#`)."""
    user, password = app_credentials(settings)

    def digest(secret: str) -> str:
        return "#" + hashlib.sha256(secret.encode()).hexdigest()

    allowed = " ".join(f"+{c}" for c in APP_COMMANDS)
    admin = digest(settings.audit_admin_password.get_secret_value())
    return [
        "user default off nopass resetkeys resetchannels -@all",
        f"user {user} on {digest(password)} resetkeys ~{STREAM} resetchannels -@all {allowed}",
        f"user {ADMIN_USER} on {admin} ~* &* +@all",
    ]


def _client() -> redis.Redis:
    return redis_clients.audit_app()


def _admin() -> redis.Redis:
    return redis_clients.audit_admin(ADMIN_USER)


def ping() -> bool:
    """True when the audit store answers the application's account."""
    try:
        return bool(_client().ping())
    except redis.RedisError:
        return False


def last_sealed() -> tuple[int, str | None]:
    """The seq and hash of the last sealed entry, (0, None) before the first."""
    try:
        newest = _client().xrevrange(STREAM, count=1)
    except redis.RedisError as error:
        raise AuditStoreError(f"the audit store cannot be read: {error}") from error
    if not newest:
        return 0, None
    stream_id, fields = newest[0]
    return int(stream_id.split("-")[0]), fields["hash"]


def seal(entry: dict[str, Any]) -> bool:
    """Append one entry (its fields as strings) under the id `<seq>-1`; False when an entry
    with that seq was sealed already (by another process: the id only grows)."""
    fields = {k: "" if v is None else str(v) for k, v in entry.items()}
    fields["null"] = ",".join(k for k, v in entry.items() if v is None)
    try:
        _client().xadd(STREAM, fields, id=f"{entry['seq']}-1")
    except redis.ResponseError as error:
        if "equal or smaller" in str(error):
            return False
        raise AuditStoreError(f"the audit store refused entry {entry['seq']}: {error}") from error
    except redis.RedisError as error:
        raise AuditStoreError(f"the audit store cannot be written: {error}") from error
    return True


def sealed(after: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    """Sealed entries with seq above `after`, oldest first, as they were appended."""
    try:
        found = _client().xrange(STREAM, min=f"({after}-1", max="+", count=limit)
    except redis.RedisError as error:
        raise AuditStoreError(f"the audit store cannot be read: {error}") from error
    entries = []
    for stream_id, fields in found:
        nulls = set(filter(None, fields.pop("null", "").split(",")))
        entry: dict[str, Any] = {k: None if k in nulls else v for k, v in fields.items()}
        entry["seq"] = int(entry["seq"])
        entry["stream_id"] = stream_id
        entries.append(entry)
    return entries


def reset() -> None:
    """Delete the sealed log (administrator account): only with the graph it seals, for
    `tiergraph db reset` and the tests."""
    try:
        _admin().delete(STREAM)
    except redis.RedisError as error:
        raise AuditStoreError(f"the audit store could not be reset with the administrator "
                              f"account (TIERGRAPH_AUDIT_ADMIN_PASSWORD): {error}") from error


def export_log(batch: int = 1000) -> Iterator[tuple[str, dict[str, str]]]:
    """Every entry of the sealed log as stored (stream id, raw fields), oldest first, read
    with the administrator account: for backups."""
    after = "-"
    while True:
        try:
            found = _admin().xrange(STREAM, min=after, max="+", count=batch)
        except redis.RedisError as error:
            raise AuditStoreError(f"the audit store cannot be read with the administrator "
                                  f"account: {error}") from error
        yield from found
        if len(found) < batch:
            return
        after = f"({found[-1][0]}"


def import_log(entries: Iterable[tuple[str, dict[str, str]]], batch: int = 1000) -> int:
    """Replace the sealed log by `entries` (from export_log), written back in order under
    their own stream ids with the administrator account: for restores, while nothing else
    writes the log. Returns how many were written."""
    written = 0
    try:
        admin = _admin()
        admin.delete(STREAM)
        pipe = admin.pipeline(transaction=False)
        for stream_id, fields in entries:
            pipe.xadd(STREAM, fields, id=stream_id)
            written += 1
            if written % batch == 0:
                pipe.execute()
        pipe.execute()
    except redis.RedisError as error:
        raise AuditStoreError(f"the audit store could not be rewritten with the administrator "
                              f"account after {written} entries: {error}") from error
    return written
