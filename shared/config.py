"""Settings for every function, read once per process from the environment (and `.env` locally)."""

from functools import cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_ONLY_SECRET = "local-development-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["local", "test", "production"] = "local"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/credit"
    redis_url: str = "redis://127.0.0.1:6379/0"

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
    credit_bureau: Literal["declared"] = "declared"

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


@cache
def get_settings() -> Settings:
    return Settings()
