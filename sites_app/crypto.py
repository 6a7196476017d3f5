"""Encryption at rest for Gandi API keys: cryptography's MultiFernet over settings.ENCRYPTION_KEYS.

The first key encrypts; every listed key decrypts, so a key can be rotated in without
making stored rows unreadable (`manage.py rotate_gandi_keys` then re-encrypts them).
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key that is no longer configured.

    `message` is for people, like GandiError.message, so callers can show either alike."""

    message = (
        "The account's API key cannot be decrypted with the configured keys; "
        "an admin must enter it again."
    )


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("no configured ENCRYPTION_KEYS entry can read this secret") from exc


def reencrypt(token: str) -> str:
    """Return the token encrypted with the current primary key."""
    return _fernet().rotate(token.encode()).decode()
