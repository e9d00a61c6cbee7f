import asyncio
from types import SimpleNamespace
from unittest.mock import AsyncMock

import pytest

from app.orders.enums import OrderStatus
from app.orders.exceptions import OrderNotEditableError, OrderNotFoundError
from app.orders.services.order import OrderService


def make_service(crud: AsyncMock) -> tuple[OrderService, AsyncMock]:
    session = AsyncMock()
    return OrderService(session, customers=AsyncMock(), crud=crud), session


def test_unknown_order_is_a_domain_error():
    crud = AsyncMock()
    crud.get.return_value = None
    service, _ = make_service(crud)
    with pytest.raises(OrderNotFoundError):
        asyncio.run(service.get_order(7))


def test_a_shipped_order_cannot_be_cancelled():
    crud = AsyncMock()
    crud.get.return_value = SimpleNamespace(id=7, status=OrderStatus.SHIPPED)
    service, session = make_service(crud)
    with pytest.raises(OrderNotEditableError):
        asyncio.run(service.cancel_order(7, reason="changed my mind"))
    session.commit.assert_not_awaited()
    crud.update.assert_not_awaited()
