"""Personal data at rest: phones are encrypted (AES-GCM, key id kept beside the value),
looked up by keyed hash, and only ever shown masked."""

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph.settings import get_settings


def _key() -> tuple[str, bytes]:
    s = get_settings()
    return s.pii_key_id, hashlib.sha256(s.pii_key.encode()).digest()


def encrypt(value: str) -> str:
    """`keyid:nonce:ciphertext` (base64) of a personal value."""
    key_id, key = _key()
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), key_id.encode())
    return f"{key_id}:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def decrypt(token: str) -> str:
    """The clear value of an `encrypt` token (the key id must be the current one)."""
    key_id, nonce, sealed = token.split(":")
    current_id, key = _key()
    if key_id != current_id:
        raise ValueError(f"value sealed with key {key_id!r}, current key is {current_id!r}")
    return AESGCM(key).decrypt(base64.b64decode(nonce), base64.b64decode(sealed), key_id.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed hash used to find a user by phone without storing the phone in clear."""
    _, key = _key()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****0000: the first three and last four digits of the national number."""
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
