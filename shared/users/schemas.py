import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.workflow.states import Role

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,64}$"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=10, max_length=128)
    full_name: str = Field(min_length=1, max_length=200)


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


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None
