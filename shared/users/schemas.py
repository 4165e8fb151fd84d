import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from shared.audit.schemas import ANONYMOUS
from shared.users.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, password_problem
from shared.workflow.states import Role

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"


class UserCreate(BaseModel):
    """A new applicant's account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "ada.lovelace",
                    "email": "ada@example.com",
                    "password": "correct horse battery staple",
                    "full_name": "Ada Lovelace",
                }
            ]
        },
    )

    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    full_name: str = Field(min_length=1, max_length=200)

    @field_validator("username")
    @classmethod
    def username_is_not_reserved(cls, username: str) -> str:
        if username.lower() == ANONYMOUS:
            raise ValueError("That username is reserved.")
        return username

    @field_validator("password")
    @classmethod
    def password_is_acceptable(cls, password: str, info: ValidationInfo) -> str:
        # username and email come first, so they are in `info.data` when they were valid.
        problem = password_problem(
            password,
            username=str(info.data.get("username", "")),
            email=str(info.data.get("email", "")),
        )
        if problem is not None:
            raise ValueError(f"The password {problem}.")
        return password


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime
    email_verified: bool = Field(
        description="Whether the user followed the link emailed to their address; until "
        "then they may not file credit requests and get no workflow emails."
    )


class UserDetail(UserOut):
    pending_stages: int = Field(description="Stages awaiting this user's decision.")
    stages_to_move: int = Field(
        description="Of those, how many the change in the query (`role`, `is_active`) would "
        "move to other approvers: the ones the user could no longer decide."
    )
