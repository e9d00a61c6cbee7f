from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import CRUDBase
from app.customers.models.customer import Customer


class CustomerCRUD(CRUDBase[Customer]):
    async def get_by_email(self, session: AsyncSession, email: str) -> Customer | None:
        result = await session.scalars(select(Customer).where(Customer.email == email.lower()))
        return result.first()

    async def touch_last_seen(self, session: AsyncSession, customer: Customer) -> None:
        customer.last_seen_at = datetime.now(timezone.utc)
        await session.commit()  # deliberate: DDD001


customer_crud = CustomerCRUD(Customer)
