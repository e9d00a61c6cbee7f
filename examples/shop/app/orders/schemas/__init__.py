from app.orders.schemas.order import (
    OrderCreate,
    OrderLineCreate,
    OrderLineResponse,
    OrderList,
    OrderResponse,
    OrderUpdate,
)

__all__ = ["OrderCreate", "OrderLineCreate", "OrderLineResponse", "OrderList", "OrderResponse", "OrderUpdate"]
