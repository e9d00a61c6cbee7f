from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

FullName = Annotated[str, Field(min_length=1, max_length=120)]
Phone = Annotated[str, Field(max_length=32, pattern=r"^\+?[0-9 ()-]{6,32}$")]


class CustomerBase(BaseModel):
    full_name: FullName
    phone: Phone | None = None


class CustomerCreate(CustomerBase):
    email: EmailStr


class CustomerUpdate(BaseModel):
    full_name: FullName | None = None
    phone: Phone | None = None


class CustomerResponse(CustomerBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: EmailStr
    created_at: datetime
    last_seen_at: datetime | None = None
