import asyncio
from unittest.mock import AsyncMock

import pytest

from app.customers.exceptions import CustomerNotFoundError, EmailAlreadyRegisteredError
from app.customers.schemas.customer import CustomerCreate
from app.customers.services.customer import CustomerService


def make_service(crud: AsyncMock) -> tuple[CustomerService, AsyncMock]:
    session = AsyncMock()
    return CustomerService(session, crud=crud), session


def test_register_rejects_an_email_that_is_already_registered():
    crud = AsyncMock()
    crud.get_by_email.return_value = object()
    service, session = make_service(crud)
    with pytest.raises(EmailAlreadyRegisteredError):
        asyncio.run(service.register(CustomerCreate(email="ada@example.com", full_name="Ada Lovelace")))
    session.commit.assert_not_awaited()


def test_unknown_customer_is_a_domain_error():
    crud = AsyncMock()
    crud.get.return_value = None
    service, _ = make_service(crud)
    with pytest.raises(CustomerNotFoundError):
        asyncio.run(service.ensure_exists(42))
