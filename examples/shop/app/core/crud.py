from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Base

ModelT = TypeVar("ModelT", bound=Base)


class CRUDBase(Generic[ModelT]):
    """Generic data access: queries, add and flush. Never commits."""

    def __init__(self, model: type[ModelT]) -> None:
        self.model = model

    async def get(self, session: AsyncSession, id: Any) -> ModelT | None:
        return await session.get(self.model, id)

    async def get_many(self, session: AsyncSession, *, offset: int = 0, limit: int = 50) -> Sequence[ModelT]:
        result = await session.scalars(select(self.model).offset(offset).limit(limit))
        return result.all()

    async def count(self, session: AsyncSession) -> int:
        total = await session.scalar(select(func.count()).select_from(self.model))
        return total or 0

    async def create(self, session: AsyncSession, values: dict[str, Any]) -> ModelT:
        obj = self.model(**values)
        session.add(obj)
        await session.flush()
        await session.refresh(obj)
        return obj

    async def update(self, session: AsyncSession, obj: ModelT, values: dict[str, Any]) -> ModelT:
        for name, value in values.items():
            setattr(obj, name, value)
        await session.flush()
        await session.refresh(obj)
        return obj

    async def remove(self, session: AsyncSession, obj: ModelT) -> None:
        await session.delete(obj)
        await session.flush()
