"""Personal data at rest: phones are encrypted (AES-GCM, key id kept beside the value so
keys can rotate), looked up by a keyed hash, and only ever shown masked."""

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph import db
from graph.settings import get_settings


@lru_cache(maxsize=16)
def _derive(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _keys() -> dict[str, bytes]:
    """Every key that may open a value: the current one and those listed as old."""
    s = get_settings()
    keys = {}
    for part in s.pii_old_keys.get_secret_value().split(","):
        key_id, sep, secret = part.strip().partition(":")
        if sep and key_id and secret:
            keys[key_id] = _derive(secret)
    keys[s.pii_key_id] = _derive(s.pii_key.get_secret_value())
    return keys


def encrypt(value: str) -> str:
    """`keyid:nonce:ciphertext` (base64) of a personal value under the current key."""
    key_id = get_settings().pii_key_id
    nonce = os.urandom(12)
    sealed = _cipher(_keys()[key_id]).encrypt(nonce, value.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def key_id_of(token: str) -> str:
    """The id of the key a value was sealed with."""
    return token.split(":", 1)[0]


def decrypt(token: str) -> str:
    """The clear value of an `encrypt` token, under whichever known key sealed it."""
    key_id, nonce, sealed = token.split(":")
    key = _keys().get(key_id)
    if key is None:
        raise KeyError(f"no key {key_id!r} among TIERGRAPH_PII_KEY_ID and TIERGRAPH_PII_OLD_KEYS")
    try:
        return _cipher(key).decrypt(base64.b64decode(nonce), base64.b64decode(sealed),
                                   key_id.encode()).decode()
    except InvalidTag:
        raise ValueError(f"value sealed under key {key_id!r} fails authentication") from None


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a user by phone without storing the phone in clear."""
    key = _derive(get_settings().pii_hash_key.get_secret_value())
    return hmac.digest(key, value.encode(), "sha256").hex()


def mask_phone(phone: str) -> str:
    """138****0000: the first three and last four digits of the national number."""
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def rotate(batch: int = 1000, on_progress: Any = None) -> int:
    """Re-seal every phone not under the current key; returns how many were re-sealed."""
    current = get_settings().pii_key_id
    total = 0
    while True:
        rows = db.read_query("pii.sealed_with_other_key", key_prefix=f"{current}:", limit=batch)
        if not rows:
            return total
        resealed = [{"id": r["id"], "phone_enc": encrypt(decrypt(r["phone_enc"]))} for r in rows]
        db.write_query("pii.reseal", rows=resealed)
        total += len(resealed)
        if on_progress is not None:
            on_progress(total)


def users_by_phone(phone: str) -> list[str]:
    """Ids of users registered with this phone, found through its keyed hash."""
    return [r["user_id"] for r in db.read_query("pii.users_by_phone_hash",
                                                phone_hash=lookup_hash(phone))]


def read_clear_phone(user_id: str, *, reason: str, actor: str, role: str,
                     request_id: str | None) -> dict[str, Any] | None:
    """An admin's audited look at a user's clear phone; None for an unknown user.

    The audit entry (who, why, which user; never the value) commits before the value is
    returned: no unaudited read.
    """
    from graph.audit import trail

    def work(tx: Any) -> dict[str, Any] | None:
        row = db.run(tx, "pii.sealed_phone", user_id=user_id)[0]
        if not row["found"]:
            return None
        trail.append(tx, actor=actor, role=role, action="pii.read", target=f"user:{user_id}",
                     after={"field": "phone", "reason": reason}, request_id=request_id)
        return row

    row = db.write(work)
    if row is None:
        return None
    return {"user_id": user_id,
            "phone": decrypt(row["phone_enc"]) if row["phone_enc"] else None}
