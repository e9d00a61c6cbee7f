from typing import Annotated

from fastapi import Depends

from app.core.database import SessionDep
from app.customers.services.customer import CustomerService


def get_customer_service(session: SessionDep) -> CustomerService:
    return CustomerService(session)


CustomerServiceDep = Annotated[CustomerService, Depends(get_customer_service)]
