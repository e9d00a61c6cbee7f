from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.orders.enums import OrderStatus

Sku = Annotated[str, Field(min_length=3, max_length=32, pattern=r"^[A-Z0-9-]+$")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class OrderLineCreate(BaseModel):
    sku: Sku
    quantity: int = Field(gt=0, le=100)
    unit_price_cents: int = Field(ge=0, le=1_000_000)


class OrderCreate(BaseModel):
    customer_id: int = Field(gt=0)
    currency: CurrencyCode = "EUR"
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=50)
    notes: str | None = None  # deliberate: DDD402


class OrderUpdate(BaseModel):
    notes: str | None = Field(default=None, max_length=500)
    status: OrderStatus | None = None


class OrderLineResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    quantity: int
    unit_price_cents: int


class OrderResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    status: OrderStatus
    currency: str
    notes: str | None
    cancellation_reason: str | None
    total_cents: int
    lines: list[OrderLineResponse]
    created_at: datetime
    updated_at: datetime


class OrderList(BaseModel):
    items: list[OrderResponse]
    total: int
    offset: int
    limit: int
