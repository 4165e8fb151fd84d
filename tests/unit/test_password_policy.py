"""The password policy and Argon2 parameter upgrades (shared.users.passwords)."""

import pytest
from pwdlib.hashers.argon2 import Argon2Hasher

from shared.users.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    burn_verification_time,
    common_passwords,
    hash_password,
    password_problem,
    verify_and_upgrade,
)


def test_the_common_password_list_is_shipped_and_sane() -> None:
    listed = common_passwords()
    assert len(listed) > 1500
    assert all(len(p) >= PASSWORD_MIN_LENGTH for p in listed)
    assert all(p == p.lower() and p.isascii() for p in listed)
    assert {"1234567890", "qwertyuiop", "password12", "1q2w3e4r5t"} <= listed


@pytest.mark.parametrize(
    "password",
    ["1234567890", "QWERTYuiop", "password1234", " qwertyuiop ", "1q2w3e4r5t"],
)
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    problem = password_problem(password)
    assert problem is not None and "common" in problem


@pytest.mark.parametrize(
    ("password", "username", "email", "expected"),
    [
        ("x" * (PASSWORD_MIN_LENGTH - 1), "", "", "at least"),
        ("x" * (PASSWORD_MAX_LENGTH + 1), "", "", "at most"),
        ("abababababab", "", "", "different characters"),
        ("Marguerite-2026!", "marguerite", "", "username"),
        ("hello-Jdoe.Smith-77", "someone", "jdoe.smith@example.com", "username or email"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(
    password: str, username: str, email: str, expected: str
) -> None:
    problem = password_problem(password, username=username, email=email)
    assert problem is not None and expected in problem
    assert password not in problem  # the reason never repeats the password


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "applicant-password-1", "Zq9!vL2#pW8@", "x7-q" * 32],
)
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problem(password, username="alice", email="alice@example.com") is None


def test_a_hash_with_outdated_parameters_is_replaced_on_verification() -> None:
    old = Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("s3cret-passphrase")
    valid, upgraded = verify_and_upgrade("s3cret-passphrase", old)
    assert valid and upgraded is not None and upgraded != old
    assert "m=8192,t=1,p=1" not in upgraded
    assert verify_and_upgrade("s3cret-passphrase", upgraded) == (True, None)
    assert verify_and_upgrade("wrong-passphrase", old) == (False, None)


def test_current_hashes_are_not_upgraded_and_the_dummy_check_fails_closed() -> None:
    current = hash_password("s3cret-passphrase")
    assert verify_and_upgrade("s3cret-passphrase", current) == (True, None)
    burn_verification_time("anything at all")  # spends the time, proves nothing
