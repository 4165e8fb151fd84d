"""Schemathesis hooks for the fuzzing run (loaded by the CLI through SCHEMATHESIS_HOOKS).

Every generated case gets a fresh access token of the run's user (FUZZ_USER_ID, FUZZ_ROLE),
minted with the application's own signing code: a case that logs out revokes only its own
token, and the run never signs in through /token, whose failures the fuzzer itself drives
into the per-address throttle."""

import os
import uuid
from datetime import timedelta
from typing import Any

import schemathesis

from shared.auth import tokens


@schemathesis.auth(refresh_interval=None, retry_on=[])
class FreshAccessToken:
    def get(self, case: Any, context: Any) -> str:
        return tokens.issue(
            tokens.TokenType.ACCESS,
            uuid.UUID(os.environ["FUZZ_USER_ID"]),
            timedelta(minutes=10),
            extra={"role": os.environ["FUZZ_ROLE"]},
        ).token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
