"""OAuth tokens are stored encrypted at rest (Fernet from `cryptography`).

The key comes from TOKEN_ENCRYPTION_KEY (required in production); in development it is derived from
SECRET_KEY, so a fresh checkout works without setting anything.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.TOKEN_ENCRYPTION_KEY
    if not key:
        key = base64.urlsafe_b64encode(hashlib.sha256(("tokens:" + settings.SECRET_KEY).encode()).digest())
    return Fernet(key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        # A changed key makes old tokens unreadable: the channel must be connected again.
        return ""
