from sqlalchemy.ext.asyncio import AsyncSession

from app.core.settings import settings
from app.customers.services.customer import CustomerService
from app.orders.crud.order import OrderCRUD, order_crud
from app.orders.enums import OrderStatus
from app.orders.exceptions import InvalidStatusTransitionError, OrderNotEditableError, OrderNotFoundError
from app.orders.models.order import Order
from app.orders.schemas.order import OrderCreate, OrderList, OrderResponse, OrderUpdate


class OrderService:
    def __init__(
        self, session: AsyncSession, customers: CustomerService, crud: OrderCRUD = order_crud
    ) -> None:
        self.session = session
        self.customers = customers
        self.crud = crud

    async def place_order(self, payload: OrderCreate) -> OrderResponse:
        if payload.currency != settings.default_currency:
            raise ValueError(f"orders are placed in {settings.default_currency}")  # deliberate: DDD007
        await self.customers.ensure_exists(payload.customer_id)
        total = sum(line.quantity * line.unit_price_cents for line in payload.lines)
        values = payload.model_dump(exclude={"lines"}) | {"total_cents": total}
        lines = [line.model_dump() for line in payload.lines]
        order = await self.crud.create_with_lines(self.session, values, lines)
        await self.session.commit()
        return OrderResponse.model_validate(order)

    async def find_order(self, order_id: int) -> OrderResponse | None:
        order = await self.crud.get(self.session, order_id)
        return OrderResponse.model_validate(order) if order is not None else None

    async def get_order(self, order_id: int) -> OrderResponse:
        return OrderResponse.model_validate(await self._get(order_id))

    async def list_customer_orders(self, customer_id: int, *, offset: int, limit: int) -> OrderList:
        await self.customers.ensure_exists(customer_id)
        limit = min(limit, settings.page_size_limit)
        orders = await self.crud.list_for_customer(self.session, customer_id, offset=offset, limit=limit)
        total = await self.crud.count_for_customer(self.session, customer_id)
        items = [OrderResponse.model_validate(order) for order in orders]
        return OrderList(items=items, total=total, offset=offset, limit=limit)

    async def update_order(self, order_id: int, payload: OrderUpdate) -> OrderResponse:
        order = await self._get(order_id)
        changes = payload.model_dump(exclude_unset=True)
        new_status = changes.get("status")
        if new_status is not None and not order.status.can_become(new_status):
            raise InvalidStatusTransitionError(order.status, new_status)
        order = await self.crud.update(self.session, order, changes)
        await self.session.commit()
        return OrderResponse.model_validate(order)

    async def cancel_order(self, order_id: int, *, reason: str) -> OrderResponse:
        order = await self._get(order_id)
        if not order.status.can_become(OrderStatus.CANCELLED):
            raise OrderNotEditableError(order_id, order.status)
        changes = {"status": OrderStatus.CANCELLED, "cancellation_reason": reason}
        order = await self.crud.update(self.session, order, changes)
        await self.session.commit()
        return OrderResponse.model_validate(order)

    async def _get(self, order_id: int) -> Order:
        order = await self.crud.get(self.session, order_id)
        if order is None:
            raise OrderNotFoundError(order_id)
        return order
