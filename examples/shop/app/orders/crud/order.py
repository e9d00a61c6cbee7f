from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import CRUDBase
from app.orders.models.order import Order, OrderLine


class OrderCRUD(CRUDBase[Order]):
    async def create_with_lines(
        self, session: AsyncSession, values: dict[str, Any], lines: Sequence[dict[str, Any]]
    ) -> Order:
        order = Order(**values, lines=[OrderLine(**line) for line in lines])
        session.add(order)
        await session.flush()
        await session.refresh(order)
        return order

    async def list_for_customer(
        self, session: AsyncSession, customer_id: int, *, offset: int, limit: int
    ) -> Sequence[Order]:
        statement = (
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc())
            .offset(offset)
            .limit(limit)
        )
        result = await session.scalars(statement)
        return result.all()

    async def count_for_customer(self, session: AsyncSession, customer_id: int) -> int:
        statement = select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
        total = await session.scalar(statement)
        return total or 0


order_crud = OrderCRUD(Order)
