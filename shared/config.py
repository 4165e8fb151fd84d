"""Settings for every function, read once per process from the environment (and `.env` locally).

A plain pydantic model that reads the environment itself, rather than pydantic-settings:
every function imports this at each cold start, and pydantic-settings (with what it loads)
was about a third of that import.
"""

import os
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

LOCAL_ONLY_SECRET = "local-development-secret-key-change-me"
ENV_FILE = ".env"


class Settings(BaseModel):
    """Each field is read from the environment variable of its name in any case, else from
    `.env` in the working directory if there is one, else its default; keyword arguments
    override both (`_env_file=None` reads no file). Values given are validated, defaults
    are not (so Babel loads only for a CURRENCY or LOCALE that is set)."""

    model_config = ConfigDict(extra="ignore")

    def __init__(self, _env_file: str | None = ENV_FILE, **values: Any) -> None:
        super().__init__(**(_environment(_env_file) | values))

    # Unset means production, where weak secrets are refused: a forgotten variable must never
    # run a deployment on the documented development key. `make local` and the tests say
    # `local` / `test` explicitly.
    environment: Literal["local", "test", "production"] = "production"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/credit"
    # The role every session of the application acts as (`SET ROLE` on connect): created by
    # the migrations, it may insert and read audit rows but never update or delete them.
    # Empty: the login role of DATABASE_URL is used as is (production: a LOGIN member of
    # `credit_app`, which `RESET ROLE` cannot lift).
    database_role: str = Field(default="credit_app", pattern=r"^[a-z_][a-z0-9_]*$|^$")
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Connections each process keeps open to Postgres (and as many more at a peak). A Lambda
    # works one invocation at a time, so the default suits it; the local runner, whose
    # pollers share one process, sets it to its poller count (infra.local.runner).
    db_pool_size: int = Field(default=5, gt=0, le=50)

    # AWS: an endpoint URL points every client at LocalStack; unset in production.
    aws_endpoint_url: str | None = "http://127.0.0.1:4566"
    aws_region: str = "us-east-1"
    aws_account_id: str = "000000000000"
    resource_prefix: str = "credit"

    secret_key: SecretStr = SecretStr(LOCAL_ONLY_SECRET)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "credit-approval"
    jwt_audience: str = "credit-approval-api"
    access_token_minutes: int = Field(default=15, gt=0)
    refresh_token_days: int = Field(default=7, gt=0)
    approval_link_hours: int = Field(default=72, gt=0)

    public_url: str = "http://localhost:8000"
    mail_from: str = "credit-approvals@example.com"
    # What people read in notifications: the product's name, the currency of every amount
    # (ISO 4217) and the locale that formats amounts and dates (Babel's identifiers).
    product_name: str = Field(default="Credit Approvals", min_length=1, max_length=80)
    currency: str = "USD"
    locale: str = "en_US"
    # Outgoing webhook and chat deliveries: the first retry's delay (each next one is 4x,
    # capped at SQS's 12 h) and how long one attempt may take.
    webhook_retry_base_seconds: int = Field(default=30, ge=0)
    webhook_timeout_seconds: float = Field(default=15, gt=0, le=25)
    credit_bureau: Literal["declared"] = "declared"

    # Security (see README "Security"). CORS_ORIGINS is a comma-separated allow-list of
    # browser origins; empty means only PUBLIC_URL's origin. DOCS_ENABLED unset means on
    # in local/test mode and off in production.
    cors_origins: list[str] = Field(default_factory=list)
    docs_enabled: bool | None = None
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    login_failures_per_account: int = Field(default=5, gt=0)
    login_failures_per_address: int = Field(default=20, gt=0)
    login_throttle_seconds: int = Field(default=900, gt=0)
    submissions_per_hour: int = Field(default=10, gt=0)
    # Accounts: registrations per client address per hour (each account is another
    # SUBMISSIONS_PER_HOUR), how long an emailed verification link and a password-reset link
    # live, and how many reset emails one address or one account may ask for per hour.
    registrations_per_address: int = Field(default=10, gt=0)
    email_verification_hours: int = Field(default=48, gt=0)
    password_reset_minutes: int = Field(default=30, gt=0)
    password_resets_per_address: int = Field(default=10, gt=0)
    password_resets_per_account: int = Field(default=3, gt=0)
    emails_per_request: int = Field(default=20, gt=0)
    # How long a warm function reuses the credit policy it read; 0 reads it for every use.
    policy_cache_seconds: int = Field(default=60, ge=0)
    # The longest a cached read lives in Redis. Changes invalidate entries at once (versions);
    # this only bounds staleness when Redis missed an invalidation during an outage.
    read_cache_seconds: int = Field(default=60, gt=0)
    # Where pg_dump/pg_restore live; empty: on PATH. They must be at least the server's
    # major version (pg_dump refuses a newer server), e.g. the embedded server's own binaries.
    pg_bin_dir: str = ""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def comma_separated_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def origins_are_bare(cls, value: list[str]) -> list[str]:
        for origin in value:
            parts = urlsplit(origin)
            if (
                parts.scheme not in ("http", "https")
                or not parts.netloc
                or parts.path not in ("", "/")
            ):
                raise ValueError(f"CORS origin must be scheme://host[:port]: {origin!r}")
        return [origin.rstrip("/") for origin in value]

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str) -> str:
        # Babel only when the variable is set (validators skip defaults): every function
        # reads these settings, only notify formats money.
        from babel.numbers import UnknownCurrencyError, validate_currency

        try:
            validate_currency(value)
        except UnknownCurrencyError as exc:
            raise ValueError(f"unknown ISO 4217 currency code: {value!r}") from exc
        return value

    @field_validator("locale")
    @classmethod
    def known_locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale: {value!r} (use e.g. en_US, pt_BR)") from exc
        return value

    @field_validator("aws_endpoint_url")
    @classmethod
    def empty_endpoint_means_aws(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def refuse_weak_secrets_outside_local(self) -> "Settings":
        secret = self.secret_key.get_secret_value()
        if not self.is_local and (secret == LOCAL_ONLY_SECRET or len(secret) < 32):
            raise ValueError("SECRET_KEY must be set to a random value of 32+ characters")
        return self

    @property
    def is_local(self) -> bool:
        return self.environment in ("local", "test")

    @property
    def allowed_origins(self) -> frozenset[str]:
        """Browser origins allowed to call the API cross-origin (never `*`)."""
        if self.cors_origins:
            return frozenset(self.cors_origins)
        parts = urlsplit(self.public_url)
        return frozenset({f"{parts.scheme}://{parts.netloc}"})

    @property
    def serves_docs(self) -> bool:
        return self.is_local if self.docs_enabled is None else self.docs_enabled


def _environment(env_file: str | None) -> dict[str, str]:
    # As pydantic-settings did: names match in any case, and the environment beats the file.
    found: dict[str, str] = {}
    if env_file and os.path.isfile(env_file):
        from dotenv import dotenv_values  # only where there is a file: local runs

        found |= {k.lower(): v for k, v in dotenv_values(env_file).items() if v is not None}
    found |= {k.lower(): v for k, v in os.environ.items()}
    return {name: found[name] for name in Settings.model_fields if name in found}


@cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment (and `.env`)."""
    return Settings()
