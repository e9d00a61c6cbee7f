from typing import Annotated

from fastapi import Depends

from app.core.database import SessionDep
from app.customers.dependencies import CustomerServiceDep
from app.orders.services.order import OrderService


def get_order_service(session: SessionDep, customers: CustomerServiceDep) -> OrderService:
    return OrderService(session, customers)


OrderServiceDep = Annotated[OrderService, Depends(get_order_service)]
