"""The bodies of the sign-in, refresh and sign-out calls, and of the emailed account links
(email verification, password reset)."""

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.auth.service import TokenPair
from shared.users.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int

    @classmethod
    def of(cls, pair: TokenPair) -> "TokenOut":
        """The answer to a sign-in or refresh that issued `pair`."""
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(max_length=4096)


class LogoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str | None = Field(default=None, max_length=4096)


class EmailVerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=4096, description="From the emailed link.")


class EmailVerificationOut(BaseModel):
    email_verified: bool


class PasswordResetRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr = Field(max_length=254)


class PasswordResetRequested(BaseModel):
    detail: str = Field(
        description="The same whether or not an account uses the address: nothing here says "
        "which addresses have accounts."
    )


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=4096, description="From the emailed link.")
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
