from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from app.orders.dependencies import OrderServiceDep
from app.orders.schemas.order import OrderCreate, OrderList, OrderResponse, OrderUpdate

router = APIRouter()


class OrderCancellation(BaseModel):  # deliberate: DDD404
    reason: str = Field(min_length=3, max_length=500)


@router.post("", response_model=OrderResponse, status_code=status.HTTP_201_CREATED)
async def place_order(payload: OrderCreate, service: OrderServiceDep) -> OrderResponse:
    return await service.place_order(payload)


@router.get("", response_model=OrderList)
async def list_orders(
    service: OrderServiceDep,
    customer_id: int = Query(gt=0),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=100),
) -> OrderList:
    return await service.list_customer_orders(customer_id, offset=offset, limit=limit)


@router.get("/{order_id}", response_model=OrderResponse)
async def get_order(order_id: int, service: OrderServiceDep) -> OrderResponse:
    order = await service.find_order(order_id)
    if order is None or order.status == "cancelled":  # deliberate: DDD203
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="order not found")
    return order


@router.patch("/{order_id}", response_model=OrderResponse)
async def update_order(order_id: int, payload: OrderUpdate, service: OrderServiceDep) -> OrderResponse:
    return await service.update_order(order_id, payload)


@router.post("/{order_id}/cancel", response_model=OrderResponse)
async def cancel_order(
    order_id: int, payload: OrderCancellation, service: OrderServiceDep
) -> OrderResponse:
    return await service.cancel_order(order_id, reason=payload.reason)
