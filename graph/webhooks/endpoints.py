"""Webhook endpoints an admin registers: an id, a URL, the events it wants and a secret.

The secret is kept sealed (graph/users/pii.py's AES-GCM, under TIERGRAPH_PII_KEY) and never
answered. Registering the same id with the same body again changes nothing; with another
body it is a 409. Every registration and deletion is audited (without the secret).
"""

import hmac
import uuid
from datetime import UTC, datetime
from typing import Any

from neo4j.exceptions import ConstraintError

from graph import db, paging
from graph.audit import trail
from graph.errors import conflict, not_found, refused
from graph.settings import get_settings
from graph.users import pii
from graph.webhooks import urls


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """An endpoint as answered: never its secret."""
    return {"id": row["id"], "url": row["url"], "events": list(row["events"]),
            "created_at": row["created_at"]}


def _same(row: dict[str, Any], url: str, events: list[str], secret: str) -> bool:
    return (row["url"] == url and sorted(row["events"]) == events
            and hmac.compare_digest(pii.decrypt(row["secret_enc"]).encode(), secret.encode()))


def _replay(row: dict[str, Any], url: str, events: list[str], secret: str) -> dict[str, Any]:
    """The stored endpoint when the body repeats it, else the 409."""
    if not _same(row, url, events, secret):
        raise conflict(f"webhook {row['id']!r} exists with another url, events or secret; "
                       "delete it first to change it")
    return _shown(row)


def check_url(url: str) -> None:
    """Refuse (422 webhook_url_refused) a URL the worker may not call."""
    try:
        urls.check(url, allow_private=get_settings().webhook_allow_private)
    except urls.UrlRefused as error:
        raise refused("webhook_url_refused", f"{url}: {error}") from None


def register(*, webhook_id: str, url: str, events: list[str], secret: str, actor: str,
             role: str, request_id: str | None) -> tuple[dict[str, Any], bool]:
    """Register an endpoint; returns (endpoint, created now). A repeat of the same body
    answers what is stored; another body for the same id is a 409."""
    events = sorted(set(events))
    found = db.read_query("webhooks.get", id=webhook_id)
    if found:
        return _replay(found[0], url, events, secret), False
    check_url(url)  # resolves the host: outside the transaction
    hook = {"id": webhook_id, "key": uuid.uuid4().hex, "url": url, "events": events,
            "secret_enc": pii.encrypt(secret), "created_by": actor}

    def work(tx: Any) -> None:
        db.run(tx, "webhooks.create", hook=hook, now=datetime.now(UTC).isoformat())
        trail.append(tx, actor=actor, role=role, action="webhook.create",
                     target=f"webhook:{webhook_id}", before=None,
                     after={"url": url, "events": events}, request_id=request_id)

    try:
        db.write(work)
    except ConstraintError:  # the same id registered at the same time: answer as a repeat
        return _replay(db.read_query("webhooks.get", id=webhook_id)[0], url, events,
                       secret), False
    return _shown(db.read_query("webhooks.get", id=webhook_id)[0]), True


def list_page(limit: int, cursor: str | None) -> dict[str, Any]:
    """Registered endpoints by id, a page at a time."""
    after = paging.decode(cursor, _after_id)
    rows = db.read_query("webhooks.page", after_id=after, limit=limit + 1)
    return paging.page([_shown(r) for r in rows], limit, lambda row: [row["id"]])


def _after_id(keys: list[Any]) -> str:
    (last_id,) = keys
    if not isinstance(last_id, str):
        raise ValueError("not a keyset")
    return last_id


def delete(webhook_id: str, *, actor: str, role: str, request_id: str | None) -> None:
    """Delete an endpoint: nothing more is written for it and its pending deliveries are
    cancelled (an attempt already under way finishes). 404 for an unknown id."""

    def work(tx: Any) -> None:
        rows = db.run(tx, "webhooks.delete", id=webhook_id, now=datetime.now(UTC).isoformat())
        if not rows:
            raise not_found(f"webhook {webhook_id!r}")
        trail.append(tx, actor=actor, role=role, action="webhook.delete",
                     target=f"webhook:{webhook_id}", before=None,
                     after={"cancelled_deliveries": rows[0]["cancelled"]},
                     request_id=request_id)

    db.write(work)


def _after_delivery(keys: list[Any]) -> tuple[str, str]:
    at, last_id = keys
    if datetime.fromisoformat(at).tzinfo is None or not isinstance(last_id, str):
        raise ValueError("not a keyset")
    return at, last_id


def deliveries(webhook_id: str, status: str | None, limit: int,
               cursor: str | None) -> dict[str, Any]:
    """An endpoint's deliveries, newest first, each with every attempt (time, status code
    or error, duration, attempt number, next retry); 404 for an unknown endpoint."""
    after_at, after_id = paging.decode(cursor, _after_delivery) or (None, None)
    row = db.read_query("webhooks.deliveries", id=webhook_id, state=status, after_at=after_at,
                        after_id=after_id, limit=limit + 1)[0]
    if not row["found"]:
        raise not_found(f"webhook {webhook_id!r}")
    items = [{**d, "attempts": [a for a in d["attempts"] if a is not None]} for d in row["rows"]]
    return paging.page(items, limit, lambda d: [d["created_at"], d["id"]])
