"""Settings refuse to run production on the local development secret."""

import pytest
from pydantic import ValidationError

from shared.config import LOCAL_ONLY_SECRET, Settings


def test_production_refuses_the_default_or_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=LOCAL_ONLY_SECRET)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short-secret")
    strong = "x" * 16 + "y" * 16
    assert (
        Settings(environment="production", secret_key=strong).secret_key.get_secret_value()
        == strong
    )


def test_local_runs_accept_the_default_secret_and_empty_endpoint_means_real_aws() -> None:
    assert Settings(environment="local").secret_key.get_secret_value() == LOCAL_ONLY_SECRET
    assert (
        Settings(
            environment="production", secret_key="z" * 40, aws_endpoint_url=""
        ).aws_endpoint_url
        is None
    )


def test_an_unset_environment_is_production_and_refuses_the_development_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None)
    assert Settings(_env_file=None, secret_key="q" * 40).environment == "production"
