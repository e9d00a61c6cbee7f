import os

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.customers.crud.customer import CustomerCRUD, customer_crud
from app.customers.exceptions import (
    BlockedEmailDomainError,
    CustomerNotFoundError,
    EmailAlreadyRegisteredError,
)
from app.customers.models.customer import Customer
from app.customers.schemas.customer import CustomerCreate, CustomerResponse, CustomerUpdate


class CustomerService:
    def __init__(self, session: AsyncSession, crud: CustomerCRUD = customer_crud) -> None:
        self.session = session
        self.crud = crud

    def blocked_domains(self) -> list[str]:
        raw = os.getenv("SHOP_BLOCKED_EMAIL_DOMAINS", "")  # deliberate: DDD601
        return sorted({domain.strip().lower() for domain in raw.split(",") if domain.strip()})

    async def register(self, payload: CustomerCreate) -> CustomerResponse:
        email = payload.email.lower()
        if email.rsplit("@", 1)[-1] in self.blocked_domains():
            raise BlockedEmailDomainError(email)
        if await self.crud.get_by_email(self.session, email) is not None:
            raise EmailAlreadyRegisteredError(email)
        values = payload.model_dump()
        values["email"] = email
        try:
            customer = await self.crud.create(self.session, values)
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise EmailAlreadyRegisteredError(email) from None
        return CustomerResponse.model_validate(customer)

    async def get_customer(self, customer_id: int) -> CustomerResponse:
        customer = await self._get(customer_id)
        await self.crud.touch_last_seen(self.session, customer)
        return CustomerResponse.model_validate(customer)

    async def update_customer(self, customer_id: int, payload: CustomerUpdate) -> CustomerResponse:
        customer = await self._get(customer_id)
        customer = await self.crud.update(self.session, customer, payload.model_dump(exclude_unset=True))
        await self.session.commit()
        return CustomerResponse.model_validate(customer)

    async def ensure_exists(self, customer_id: int) -> None:
        await self._get(customer_id)

    async def _get(self, customer_id: int) -> Customer:
        customer = await self.crud.get(self.session, customer_id)
        if customer is None:
            raise CustomerNotFoundError(customer_id)
        return customer
