"""Password hashing with Argon2 (pwdlib); hashes with outdated parameters upgrade on login."""

from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_and_upgrade(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(valid, new hash if the stored one used outdated parameters)."""
    return _hasher.verify_and_update(password, password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-only-for-equal-timing")


def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, so an unknown username answers as slowly as a
    wrong password and login timing does not reveal which accounts exist."""
    _hasher.verify(password, _dummy_hash())
