"""Password hashing with Argon2 (pwdlib); hashes with outdated parameters upgrade on login.

The password policy (NIST SP 800-63B §5.1.1.2): at least `PASSWORD_MIN_LENGTH` characters,
at most `PASSWORD_MAX_LENGTH` (long passphrases are welcome, unbounded input is not), not a
commonly used password and not built from the account's own username or email.

`common_passwords.txt` is Django's CommonPasswordValidator list (Royce Williams' 20,000 most
common passwords, BSD-licensed, shipped as django/contrib/auth/common-passwords.txt.gz),
lowercased, keeping the ASCII entries of `PASSWORD_MIN_LENGTH`+ characters: shorter ones
already fail the length rule. To rebuild it from the Django 6.1.3 wheel:

    zcat common-passwords.txt.gz | LC_ALL=C awk 'length($0)>=10' \\
      | LC_ALL=C grep -v '[^ -~]' | tr 'A-Z' 'a-z' | awk '!seen[$0]++'
"""

from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

_hasher = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An Argon2 hash of the password with the current parameters."""
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


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords refused at registration, lowercased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line)


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why the password may not be used, or None. The message never repeats the password."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"must have at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"must have at most {PASSWORD_MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered.strip() in common_passwords():
        return "is too common: choose one that is not on lists of frequently used passwords"
    if len(set(lowered)) < 4:
        return "uses too few different characters"
    local_part = email.split("@", 1)[0]
    for own in (username, local_part):
        if len(own) >= 4 and own.lower() in lowered:
            return "must not contain your username or email address"
    return None
