"""Personal numbers at rest: encrypted (AES-GCM), looked up by a keyed hash (HMAC-SHA256), shown masked.

The keys come from settings (PII_ENCRYPTION_KEY, PII_HASH_KEY); rotating the hash key means re-hashing every
row, so deployments set both once and keep them beside the database backup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _aead(key_material: str) -> AESGCM:
    return AESGCM(hashlib.sha256(f"changai-pii-encryption:{key_material}".encode()).digest())


@lru_cache(maxsize=4)
def _hash_key(key_material: str) -> bytes:
    return hashlib.sha256(f"changai-pii-hash:{key_material}".encode()).digest()


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(settings.PII_ENCRYPTION_KEY).encrypt(nonce, plain.encode(), None)
    return base64.b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    raw = base64.b64decode(token)
    return _aead(settings.PII_ENCRYPTION_KEY).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()


def keyed_hash(plain: str) -> str:
    """The look-up and de-duplication key of a normalised number (never the number itself)."""
    return hmac.new(_hash_key(settings.PII_HASH_KEY), plain.encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """320***********123X: the province prefix and the last four, as the reform's forms print them."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """139****0000 for mobiles; landlines keep their last four."""
    if len(phone) < 7:
        return "*" * len(phone)
    if len(phone) == 11:
        return phone[:3] + "****" + phone[-4:]
    return "*" * (len(phone) - 4) + phone[-4:]
