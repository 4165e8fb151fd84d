"""The bodies of the sign-in, refresh and sign-out calls."""

from pydantic import BaseModel, ConfigDict, Field

from shared.auth.service import TokenPair


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
