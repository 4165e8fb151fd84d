"""Security settings: the CORS allow-list, the docs switch, and the limits' defaults."""

import pytest
from pydantic import ValidationError

from shared.config import Settings

STRONG = "k" * 20 + "z" * 20


def test_cors_defaults_to_the_public_url_origin_only() -> None:
    settings = Settings(public_url="https://credit.example.com/app")
    assert settings.allowed_origins == frozenset({"https://credit.example.com"})


def test_cors_origins_is_a_comma_separated_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example:8443/")
    assert Settings().allowed_origins == frozenset({"https://a.example", "https://b.example:8443"})


@pytest.mark.parametrize("origin", ["*", "a.example", "https://a.example/path", "ftp://a.example"])
def test_cors_origins_refuses_wildcards_and_non_origins(origin: str) -> None:
    with pytest.raises(ValidationError, match="CORS origin"):
        Settings(cors_origins=[origin])


def test_docs_are_on_locally_and_off_in_production_unless_configured() -> None:
    assert Settings(environment="local").serves_docs
    assert Settings(environment="test").serves_docs
    assert not Settings(environment="production", secret_key=STRONG).serves_docs
    assert Settings(environment="production", secret_key=STRONG, docs_enabled=True).serves_docs
    assert not Settings(environment="local", docs_enabled=False).serves_docs


def test_limits_have_safe_defaults_and_refuse_nonsense() -> None:
    settings = Settings()
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.login_failures_per_account <= 10
    assert settings.login_failures_per_address >= settings.login_failures_per_account
    assert settings.submissions_per_hour > 0 and settings.emails_per_request > 0
    with pytest.raises(ValidationError):
        Settings(login_failures_per_account=0)
    with pytest.raises(ValidationError):
        Settings(max_body_bytes=-1)
    # Account limits: the defaults (the test run raises the registration limit in its env).
    fields = Settings.model_fields
    assert fields["registrations_per_address"].default == 10
    assert fields["password_reset_minutes"].default == 30  # the link's stated lifetime
    assert (
        fields["password_resets_per_account"].default
        <= fields["password_resets_per_address"].default
    )
    for nonsense in ("registrations_per_address", "password_reset_minutes"):
        with pytest.raises(ValidationError):
            Settings.model_validate({nonsense: 0})
