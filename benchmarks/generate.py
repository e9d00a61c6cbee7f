"""Write a synthetic FastAPI application laid out as the architecture guide describes.

    python benchmarks/generate.py 1000               # -> /tmp/ddd-bench/1000
    python benchmarks/generate.py 5000 --out DIR --seed 7

The tree has exactly N Python files: ``app/core/`` (settings, database, crud, exceptions,
middleware), ``app/apis/v1.py``, ``app/main.py`` and as many features as needed, each with
``models/``, ``schemas/``, ``crud/``, ``services/``, ``routes/`` packages (two modules each),
``dependencies.py``, ``exceptions.py``, ``enums.py``, ``tasks.py`` and ``tests/``. Modules are
FastAPI / SQLAlchemy 2.0 async / Pydantic v2 code of 60-200 lines (package ``__init__.py``
files are short re-exports, as in real projects), and about one module in six carries one of
the violations the DDD rules report (a commit in crud, HTTPException in a service, a query or a
loop in a route, a blocking HTTP call, an environment read, an unbounded input string, ...).

The output depends only on N and the seed. A ``setup.cfg`` at the root marks the project, sets
``max-line-length = 110`` and switches the opt-in DDD rules on (so every rule runs).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import shutil
import sys
from typing import Callable, Dict, List, Optional, Tuple

DEFAULT_ROOT = "/tmp/ddd-bench"
DEFAULT_SEED = 20240611

FEATURE_WORDS = [
    "user", "order", "invoice", "product", "customer", "payment", "shipment", "lead",
    "module", "course", "lesson", "ticket", "project", "task_board", "campaign", "coupon",
    "subscription", "warehouse", "supplier", "review", "notification", "document", "contract",
    "employee", "department", "booking", "room", "vehicle", "route_plan", "inventory",
    "article", "comment", "tag", "report", "survey", "feedback", "license", "device",
    "sensor", "alert", "budget", "expense", "refund", "catalog", "wishlist", "cart",
    "quote", "deal", "partner", "venue", "event", "session_slot", "badge", "audit",
]
SUBS = ["item", "note", "history", "attachment", "line", "entry", "link", "snapshot"]

#: name, python type, SQLAlchemy column, pydantic input annotation, is_optional
FIELDS = [
    ("name", "str", "String(120)", "str = Field(min_length=1, max_length=120)", False),
    ("title", "str", "String(200)", "str = Field(min_length=3, max_length=200)", False),
    ("slug", "str", "String(80), unique=True", 'str = Field(pattern=r"^[a-z0-9-]+$", max_length=80)', False),
    ("description", "str | None", "Text", "str | None = Field(default=None, max_length=2000)", True),
    ("notes", "str | None", "String(500)", "str | None = Field(default=None, max_length=500)", True),
    ("quantity", "int", "Integer, default=0", "int = Field(default=0, ge=0, le=10_000)", False),
    ("price_cents", "int", "Integer", "int = Field(ge=0, le=100_000_000)", False),
    ("currency", "str", "String(3)", 'str = Field(default="EUR", pattern=r"^[A-Z]{3}$")', False),
    ("is_active", "bool", "Boolean, default=True", "bool = True", False),
    ("priority", "int", "Integer, default=3", "int = Field(default=3, ge=1, le=5)", False),
    ("score", "float", "Float, default=0.0", "float = Field(default=0.0, ge=0, le=100)", False),
    ("external_ref", "str | None", "String(64), index=True",
     "str | None = Field(default=None, max_length=64)", True),
    ("due_date", "date | None", "Date", "date | None = None", True),
    ("email", "str", "String(255), index=True",
     'str = Field(max_length=255, pattern=r"^[^@\\s]+@[^@\\s]+$")', False),
    ("country_code", "str", "String(2)", 'str = Field(pattern=r"^[A-Z]{2}$")', False),
    ("capacity", "int", "Integer", "int = Field(ge=1, le=5_000)", False),
]
STATUSES = ["draft", "pending", "active", "approved", "rejected", "archived", "cancelled",
            "completed", "on_hold", "expired"]


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def plural(name: str) -> str:
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy")):
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    return name + "s"


class Feature:
    """Names and random choices for one feature, fixed before any file is written."""

    def __init__(self, index: int, rng: random.Random, all_names: List[str]) -> None:
        word = FEATURE_WORDS[index % len(FEATURE_WORDS)]
        self.name = word if index < len(FEATURE_WORDS) else f"{word}_{index // len(FEATURE_WORDS)}"
        self.entity = word
        self.Entity = camel(word)
        self.sub = rng.choice(SUBS)
        self.Sub = self.Entity + camel(self.sub)
        self.sub_name = f"{word}_{self.sub}"
        self.table = plural(self.name)
        self.fields = rng.sample(FIELDS, rng.randint(4, 8))
        self.sub_fields = rng.sample(FIELDS, rng.randint(2, 5))
        self.statuses = rng.sample(STATUSES, rng.randint(3, 6))
        self.other = rng.choice([n for n in all_names if n != self.name] or [self.name])
        self.rng = rng
        self.has_tests = rng.random() > 0.08

    def violation(self, probability: float = 0.17) -> bool:
        return self.rng.random() < probability


# --- feature modules -------------------------------------------------------------------------

def extras(f: Feature, blocks: List[str], low: int, high: int, separator: str = "") -> str:
    """A random selection (in order) of optional blocks, so module lengths vary."""
    count = min(len(blocks), f.rng.randint(low, high))
    chosen = sorted(f.rng.sample(range(len(blocks)), count))
    return separator.join(blocks[i] for i in chosen)


def init_module(doc: str, exports: List[Tuple[str, List[str]]]) -> str:
    lines = [f'"""{doc}"""', ""]
    names: List[str] = []
    for module, items in exports:
        lines.append(f"from {module} import {', '.join(items)}")
        names.extend(items)
    if exports:
        lines += ["", "__all__ = ["] + [f'    "{n}",' for n in sorted(names)] + ["]"]
    return "\n".join(lines) + "\n"


def enums_module(f: Feature) -> str:
    members = "\n".join(f'    {s.upper()} = "{s}"' for s in f.statuses)
    first, last = f.statuses[0].upper(), f.statuses[-1].upper()
    transitions = []
    for i, s in enumerate(f.statuses):
        nxt = f.statuses[i + 1:i + 3]
        targets = ", ".join(f"{f.Entity}Status.{t.upper()}" for t in nxt)
        transitions.append(f"    {f.Entity}Status.{s.upper()}: frozenset({{{targets}}}),"
                           if nxt else f"    {f.Entity}Status.{s.upper()}: frozenset(),")
    return f'''"""Constants and enumerations of the {f.name} feature."""

from __future__ import annotations

import enum


class {f.Entity}Status(str, enum.Enum):
    """Lifecycle of a {f.entity}."""

{members}

    @property
    def is_terminal(self) -> bool:
        return not ALLOWED_TRANSITIONS[self]

    def can_become(self, other: "{f.Entity}Status") -> bool:
        return other in ALLOWED_TRANSITIONS[self]

    @classmethod
    def initial(cls) -> "{f.Entity}Status":
        return cls.{first}


class {f.Entity}Sort(str, enum.Enum):
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME = "name"
    PRIORITY = "priority"


class {f.Sub}Kind(str, enum.Enum):
    MANUAL = "manual"
    IMPORTED = "imported"
    SYSTEM = "system"


ALLOWED_TRANSITIONS: dict[{f.Entity}Status, frozenset[{f.Entity}Status]] = {{
{chr(10).join(transitions)}
}}


class {f.Entity}Visibility(str, enum.Enum):
    PRIVATE = "private"
    TEAM = "team"
    PUBLIC = "public"

    @property
    def is_shared(self) -> bool:
        return self is not {f.Entity}Visibility.PRIVATE


class {f.Entity}Event(str, enum.Enum):
    CREATED = "{f.entity}.created"
    UPDATED = "{f.entity}.updated"
    STATUS_CHANGED = "{f.entity}.status_changed"
    ARCHIVED = "{f.entity}.archived"
    DELETED = "{f.entity}.deleted"


def statuses_after(status: {f.Entity}Status) -> list[{f.Entity}Status]:
    """Every status reachable from ``status``, nearest first."""
    seen: list[{f.Entity}Status] = []
    frontier = [status]
    while frontier:
        current = frontier.pop(0)
        for nxt in sorted(ALLOWED_TRANSITIONS[current], key=lambda s: s.value):
            if nxt not in seen and nxt is not status:
                seen.append(nxt)
                frontier.append(nxt)
    return seen


DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_{f.sub.upper()}S_PER_{f.entity.upper()} = {f.rng.choice([20, 50, 100, 250])}
ARCHIVE_AFTER_DAYS = {f.rng.choice([30, 90, 180, 365])}
FINAL_STATUS = {f.Entity}Status.{last}
'''


def column_lines(fields) -> str:
    out = []
    for name, py, column, _, _ in fields:
        if py.endswith("| None"):
            out.append(f"    {name}: Mapped[{py}] = mapped_column({column}, nullable=True)")
        else:
            out.append(f"    {name}: Mapped[{py}] = mapped_column({column})")
    return "\n".join(out)


def models_main(f: Feature) -> str:
    extra = ""
    if f.violation(0.08):  # DDD008: exception class in a models module
        extra = f'''

class {f.Entity}IntegrityError(Exception):
    """Raised when the {f.entity} rows disagree with each other."""
'''
    return f'''"""ORM entity of the {f.name} feature: the {f.table} table."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Text

from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.database import Base, TimestampMixin
from app.{f.name}.enums import {f.Entity}Status

if TYPE_CHECKING:
    from app.{f.name}.models.{f.sub_name} import {f.Sub}


class {f.Entity}(TimestampMixin, Base):
    __tablename__ = "{f.table}"
    __table_args__ = (
        Index("ix_{f.table}_owner_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
{column_lines(f.fields)}
    status: Mapped[{f.Entity}Status] = mapped_column(
        Enum({f.Entity}Status, name="{f.entity}_status"), default={f.Entity}Status.initial()
    )
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    {f.sub}s: Mapped[list["{f.Sub}"]] = relationship(
        back_populates="{f.entity}", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<{f.Entity} id={{self.id}} status={{self.status.value}}>"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_editable(self) -> bool:
        return not self.status.is_terminal and not self.is_archived

    @property
    def {f.sub}_count(self) -> int:
        return len(self.{f.sub}s)

    def touch(self, when: datetime) -> None:
        self.updated_at = when

    def age_in_days(self, today: date) -> int:
        return (today - self.created_at.date()).days
{model_extras(f)}{extra}'''


def model_extras(f: Feature) -> str:
    blocks = [f'''
    @validates("status")
    def _check_status(self, key: str, value: {f.Entity}Status) -> {f.Entity}Status:
        current = getattr(self, key, None)
        if current is not None and current != value and not current.can_become(value):
            raise ValueError(f"{{current.value}} -> {{value.value}} is not allowed")
        return value
''', '''
    @hybrid_property
    def is_open(self) -> bool:
        return self.archived_at is None

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.archived_at.is_(None)
''', f'''
    def to_summary(self) -> dict[str, object]:
        return {{
            "id": self.id,
            "status": self.status.value,
            "{f.sub}s": self.{f.sub}_count,
            "archived": self.is_archived,
        }}
''', f'''

class {f.Entity}Tag(Base):
    __tablename__ = "{f.entity}_tags"

    {f.entity}_id: Mapped[int] = mapped_column(
        ForeignKey("{f.table}.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
''']
    return extras(f, blocks, 1, 4)


def models_sub(f: Feature) -> str:
    return f'''"""ORM entity of the {f.name} feature: {f.sub}s belonging to a {f.entity}."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, DateTime, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import Base, TimestampMixin
from app.{f.name}.enums import {f.Sub}Kind

if TYPE_CHECKING:
    from app.{f.name}.models.{f.entity} import {f.Entity}


class {f.Sub}(TimestampMixin, Base):
    __tablename__ = "{f.sub_name}s"

    id: Mapped[int] = mapped_column(primary_key=True)
    {f.entity}_id: Mapped[int] = mapped_column(
        ForeignKey("{f.table}.id", ondelete="CASCADE"), index=True
    )
{column_lines(f.sub_fields)}
    kind: Mapped[{f.Sub}Kind] = mapped_column(
        Enum({f.Sub}Kind, name="{f.sub_name}_kind"), default={f.Sub}Kind.MANUAL
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    {f.entity}: Mapped["{f.Entity}"] = relationship(back_populates="{f.sub}s")

    def __repr__(self) -> str:
        return f"<{f.Sub} id={{self.id}} {f.entity}_id={{self.{f.entity}_id}}>"

    @property
    def is_system(self) -> bool:
        return self.kind == {f.Sub}Kind.SYSTEM

    def move_to(self, position: int) -> None:
        self.position = max(position, 0)


class {f.Sub}Audit(Base):
    __tablename__ = "{f.sub_name}_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    {f.sub}_id: Mapped[int] = mapped_column(
        ForeignKey("{f.sub_name}s.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def describe(self) -> str:
        who = self.actor_id if self.actor_id is not None else "system"
        return f"{{self.action}} by {{who}} at {{self.recorded_at:%Y-%m-%d %H:%M}}"
'''


def schema_fields(fields, optional_all: bool = False) -> str:
    out = []
    for name, py, _, annotation, _ in fields:
        if optional_all:
            base = py.replace(" | None", "")
            constraint = annotation.split("=", 1)[1].strip() if "Field(" in annotation else "None"
            if "Field(" in constraint:
                inner = constraint[len("Field("):-1]
                inner = ", ".join(p for p in inner.split(", ") if not p.startswith("default="))
                out.append(f"    {name}: {base} | None = Field(default=None{', ' + inner if inner else ''})")
            else:
                out.append(f"    {name}: {base} | None = None")
        else:
            out.append(f"    {name}: {annotation}")
    return "\n".join(out)


def response_fields(fields) -> str:
    return "\n".join(f"    {name}: {py}" for name, py, _, _, _ in fields)


def schemas_main(f: Feature) -> str:
    create = schema_fields(f.fields)
    if f.violation(0.2):  # DDD402: unbounded str in an input schema
        create += "\n    internal_comment: str"
    update = schema_fields(f.fields, optional_all=True)
    if f.violation(0.1):  # DDD401: immutable field in an update schema
        update += "\n    id: int | None = None"
    intent = ""
    if f.violation(0.1):  # DDD403: schema that does not name its intent
        intent = f'''

class {f.Entity}Stuff(BaseModel):
    total: int
    owners: list[int] = Field(default_factory=list, max_length=100)
'''
    return f'''"""Request and response shapes of the {f.name} feature, split by intent."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.{f.name}.enums import {f.Entity}Sort, {f.Entity}Status


class {f.Entity}Base(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class {f.Entity}Create({f.Entity}Base):
{create}

    @field_validator("*", mode="before")
    @classmethod
    def empty_strings_are_missing(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


class {f.Entity}Update({f.Entity}Base):
{update}
    status: {f.Entity}Status | None = None

    @model_validator(mode="after")
    def at_least_one_change(self) -> "{f.Entity}Update":
        if not self.model_fields_set:
            raise ValueError("nothing to update")
        return self


class {f.Entity}Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
{response_fields(f.fields)}
    status: {f.Entity}Status
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class {f.Entity}ListResponse(BaseModel):
    items: list[{f.Entity}Response]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1, le=200)


class {f.Entity}Filter(BaseModel):
    status: {f.Entity}Status | None = None
    owner_id: int | None = Field(default=None, gt=0)
    search: str | None = Field(default=None, min_length=2, max_length=100)
    created_after: date | None = None
    sort: {f.Entity}Sort = {f.Entity}Sort.NEWEST


class {f.Entity}StatusUpdate(BaseModel):
    status: {f.Entity}Status
    reason: str | None = Field(default=None, max_length=300)
{schema_extras(f)}{intent}'''


def schema_extras(f: Feature) -> str:
    blocks = [f'''

class {f.Entity}BulkStatusUpdate(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)
    status: {f.Entity}Status

    @field_validator("ids")
    @classmethod
    def unique_ids(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("ids must be unique")
        return value
''', f'''

class {f.Entity}StatisticsResponse(BaseModel):
    total: int = Field(ge=0)
    by_status: dict[{f.Entity}Status, int]
    oldest_open: datetime | None = None
    newest: datetime | None = None
''', f'''

class {f.Entity}TransferUpdate(BaseModel):
    new_owner_id: int = Field(gt=0)
    notify_previous_owner: bool = True
    message: str | None = Field(default=None, max_length=500)
''', f'''

class {f.Entity}ImportRowCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

{schema_fields(f.fields, optional_all=True)}


class {f.Entity}ImportCreate(BaseModel):
    rows: list[{f.Entity}ImportRowCreate] = Field(min_length=1, max_length=1000)
    dry_run: bool = False
''', f'''

class {f.Entity}ExportResponse(BaseModel):
    generated_at: datetime
    rows: list[{f.Entity}Response]
    truncated: bool = False
''']
    return extras(f, blocks, 1, 4)


def schemas_sub(f: Feature) -> str:
    return f'''"""Request and response shapes of {f.sub}s of the {f.name} feature."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.{f.name}.enums import {f.Sub}Kind


class {f.Sub}Create(BaseModel):
{schema_fields(f.sub_fields)}
    kind: {f.Sub}Kind = {f.Sub}Kind.MANUAL
    position: int = Field(default=0, ge=0, le=10_000)


class {f.Sub}Update(BaseModel):
{schema_fields(f.sub_fields, optional_all=True)}
    position: int | None = Field(default=None, ge=0, le=10_000)


class {f.Sub}Response(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    {f.entity}_id: int
{response_fields(f.sub_fields)}
    kind: {f.Sub}Kind
    position: int
    created_at: datetime


class {f.Sub}ListResponse(BaseModel):
    items: list[{f.Sub}Response]
    total: int = Field(ge=0)


class {f.Sub}ReorderUpdate(BaseModel):
    ordered_ids: list[int] = Field(min_length=1, max_length=500)


class {f.Sub}AuditResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    actor_id: int | None = None
    recorded_at: datetime
'''


def crud_main(f: Feature) -> str:
    commit = "await session.commit()" if f.violation(0.25) else "await session.flush()"
    http = ""
    http_import = ""
    if f.violation(0.1):  # DDD003
        http_import = "from fastapi import HTTPException\n"
        http = f'''
    async def get_or_404(self, session: AsyncSession, {f.entity}_id: int) -> {f.Entity}:
        found = await session.get({f.Entity}, {f.entity}_id)
        if found is None:
            raise HTTPException(status_code=404, detail="{f.entity} not found")
        return found
'''
    search_field = next((n for n, py, *_ in f.fields if py == "str"), "status")
    return f'''"""Data access for {f.table}: queries, add and flush; the service commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

{http_import}from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import CRUDBase
from app.{f.name}.enums import {f.Entity}Sort, {f.Entity}Status
from app.{f.name}.models.{f.entity} import {f.Entity}


class {f.Entity}CRUD(CRUDBase[{f.Entity}]):
    async def get_for_owner(
        self, session: AsyncSession, {f.entity}_id: int, owner_id: int
    ) -> {f.Entity} | None:
        statement = select({f.Entity}).where(
            and_({f.Entity}.id == {f.entity}_id, {f.Entity}.owner_id == owner_id)
        )
        result = await session.scalars(statement)
        return result.first()

    async def list_filtered(
        self,
        session: AsyncSession,
        *,
        status: {f.Entity}Status | None = None,
        owner_id: int | None = None,
        search: str | None = None,
        created_after: date | None = None,
        sort: {f.Entity}Sort = {f.Entity}Sort.NEWEST,
        offset: int = 0,
        limit: int = 50,
    ) -> Sequence[{f.Entity}]:
        statement = select({f.Entity}).where({f.Entity}.archived_at.is_(None))
        if status is not None:
            statement = statement.where({f.Entity}.status == status)
        if owner_id is not None:
            statement = statement.where({f.Entity}.owner_id == owner_id)
        if search:
            pattern = f"%{{search}}%"
            statement = statement.where(or_({f.Entity}.{search_field}.ilike(pattern)))
        if created_after is not None:
            statement = statement.where({f.Entity}.created_at >= created_after)
        ordering = {{
            {f.Entity}Sort.NEWEST: {f.Entity}.created_at.desc(),
            {f.Entity}Sort.OLDEST: {f.Entity}.created_at.asc(),
        }}.get(sort, {f.Entity}.id.desc())
        result = await session.scalars(statement.order_by(ordering).offset(offset).limit(limit))
        return result.all()

    async def count_filtered(
        self, session: AsyncSession, *, status: {f.Entity}Status | None = None
    ) -> int:
        statement = select(func.count()).select_from({f.Entity})
        if status is not None:
            statement = statement.where({f.Entity}.status == status)
        total = await session.scalar(statement)
        return total or 0

    async def create_many(
        self, session: AsyncSession, rows: Sequence[dict[str, Any]]
    ) -> list[{f.Entity}]:
        objects = [{f.Entity}(**row) for row in rows]
        session.add_all(objects)
        {commit}
        return objects

    async def archive_older_than(self, session: AsyncSession, cutoff: datetime) -> int:
        statement = (
            update({f.Entity})
            .where(and_({f.Entity}.created_at < cutoff, {f.Entity}.archived_at.is_(None)))
            .values(archived_at=func.now())
        )
        result = await session.execute(statement)
        await session.flush()
        return result.rowcount or 0

    async def set_status(
        self, session: AsyncSession, obj: {f.Entity}, status: {f.Entity}Status
    ) -> {f.Entity}:
        obj.status = status
        session.add(obj)
        await session.flush()
        await session.refresh(obj)
        return obj
{crud_extras(f)}{http}

{f.entity}_crud = {f.Entity}CRUD({f.Entity})
'''


def crud_extras(f: Feature) -> str:
    blocks = [f'''
    async def ids_for_owner(self, session: AsyncSession, owner_id: int) -> list[int]:
        result = await session.scalars(
            select({f.Entity}.id).where({f.Entity}.owner_id == owner_id).order_by({f.Entity}.id)
        )
        return list(result.all())
''', f'''
    async def count_by_status(self, session: AsyncSession) -> dict[{f.Entity}Status, int]:
        statement = select({f.Entity}.status, func.count()).group_by({f.Entity}.status)
        result = await session.execute(statement)
        return {{status: count for status, count in result.all()}}
''', f'''
    async def latest(self, session: AsyncSession, *, limit: int = 10) -> Sequence[{f.Entity}]:
        statement = (
            select({f.Entity})
            .where({f.Entity}.archived_at.is_(None))
            .order_by({f.Entity}.updated_at.desc())
            .limit(limit)
        )
        result = await session.scalars(statement)
        return result.all()
''', f'''
    async def lock_for_update(self, session: AsyncSession, {f.entity}_id: int) -> {f.Entity} | None:
        statement = select({f.Entity}).where({f.Entity}.id == {f.entity}_id).with_for_update()
        result = await session.scalars(statement)
        return result.first()
''', f'''
    async def bulk_set_status(
        self, session: AsyncSession, ids: Sequence[int], status: {f.Entity}Status
    ) -> int:
        if not ids:
            return 0
        statement = update({f.Entity}).where({f.Entity}.id.in_(ids)).values(status=status)
        result = await session.execute(statement)
        await session.flush()
        return result.rowcount or 0
''']
    return extras(f, blocks, 1, 4)


def crud_sub(f: Feature) -> str:
    base = f"CRUDBase[{f.Sub}]"
    if f.violation(0.06):  # DDD604: CRUD class without the generic base
        base = "object"
    rollback = ""
    if f.violation(0.06):  # DDD004
        rollback = '''
    async def discard(self, session: AsyncSession) -> None:
        await session.rollback()
'''
    init = "" if base != "object" else f'''
    def __init__(self, model: type[{f.Sub}]) -> None:
        self.model = model
'''
    return f'''"""Data access for {f.sub}s of a {f.entity}."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.crud import CRUDBase
from app.{f.name}.models.{f.sub_name} import {f.Sub}, {f.Sub}Audit


class {f.Sub}CRUD({base}):
{init}
    async def list_for_{f.entity}(
        self, session: AsyncSession, {f.entity}_id: int, *, offset: int = 0, limit: int = 100
    ) -> Sequence[{f.Sub}]:
        statement = (
            select({f.Sub})
            .where({f.Sub}.{f.entity}_id == {f.entity}_id)
            .order_by({f.Sub}.position, {f.Sub}.id)
            .offset(offset)
            .limit(limit)
        )
        result = await session.scalars(statement)
        return result.all()

    async def count_for_{f.entity}(self, session: AsyncSession, {f.entity}_id: int) -> int:
        statement = select(func.count()).where({f.Sub}.{f.entity}_id == {f.entity}_id)
        return (await session.scalar(statement)) or 0

    async def add_to_{f.entity}(
        self, session: AsyncSession, {f.entity}_id: int, values: dict[str, Any]
    ) -> {f.Sub}:
        obj = {f.Sub}({f.entity}_id={f.entity}_id, **values)
        session.add(obj)
        await session.flush()
        await session.refresh(obj)
        return obj

    async def reorder(
        self, session: AsyncSession, {f.entity}_id: int, ordered_ids: Sequence[int]
    ) -> None:
        rows = await self.list_for_{f.entity}(session, {f.entity}_id, limit=len(ordered_ids))
        position = {{row_id: index for index, row_id in enumerate(ordered_ids)}}
        for row in rows:
            row.position = position.get(row.id, row.position)
        await session.flush()

    async def remove_all(self, session: AsyncSession, {f.entity}_id: int) -> int:
        result = await session.execute(
            delete({f.Sub}).where({f.Sub}.{f.entity}_id == {f.entity}_id)
        )
        await session.flush()
        return result.rowcount or 0

    async def record_audit(
        self, session: AsyncSession, {f.sub}_id: int, action: str, actor_id: int | None
    ) -> {f.Sub}Audit:
        audit = {f.Sub}Audit(
            {f.sub}_id={f.sub}_id,
            action=action,
            actor_id=actor_id,
            recorded_at=datetime.now(timezone.utc),
        )
        session.add(audit)
        await session.flush()
        return audit
{rollback}

{f.sub_name}_crud = {f.Sub}CRUD({f.Sub})
'''


def services_main(f: Feature) -> str:
    imports = []
    not_found = f"raise {f.Entity}NotFoundError({f.entity}_id)"
    if f.violation(0.2):  # DDD002 (+ DDD301 for the import)
        imports.append("from fastapi import HTTPException, status")
        not_found = (f'raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, '
                     f'detail="{f.entity} not found")')
    blocking = ""
    if f.violation(0.1):  # DDD504
        imports.append("import requests")
        blocking = f'''
    async def enrich_from_registry(self, {f.entity}_id: int) -> dict[str, str]:
        {f.entity} = await self._get({f.entity}_id)
        response = requests.get(f"https://registry.example.com/{f.table}/{{{f.entity}.id}}", timeout=5)
        response.raise_for_status()
        return dict(response.json())
'''
    env = "settings.page_size_limit"
    if f.violation(0.08):  # DDD601
        imports.append("import os")
        env = 'int(os.getenv("PAGE_SIZE_LIMIT", "100"))'
    limit = f"MAX_{f.sub.upper()}S_PER_{f.entity.upper()}"
    builtin = f"raise {f.Entity}LimitExceededError({f.entity}_id, {limit})"
    if f.violation(0.12):  # DDD007
        builtin = f'raise ValueError("too many {f.sub}s")'
    direct_query = ""
    if f.violation(0.08):  # DDD302
        imports.append("from sqlalchemy import select")
        direct_query = f'''
    async def ids_by_status(self, status_value: {f.Entity}Status) -> list[int]:
        result = await self.session.execute(
            select({f.Entity}.id).where({f.Entity}.status == status_value)
        )
        return [row[0] for row in result.all()]
'''
    extra_imports = "\n".join(sorted(imports))
    if extra_imports:
        extra_imports += "\n"
    return f'''"""Business rules of the {f.name} feature; owns the transaction boundaries."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
{extra_imports}
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.settings import settings
from app.{f.name}.crud.{f.entity} import {f.Entity}CRUD, {f.entity}_crud
from app.{f.name}.crud.{f.sub_name} import {f.Sub}CRUD, {f.sub_name}_crud
from app.{f.name}.enums import (
    ARCHIVE_AFTER_DAYS,
    MAX_{f.sub.upper()}S_PER_{f.entity.upper()},
    {f.Entity}Status,
)
from app.{f.name}.exceptions import (
    {f.Entity}AlreadyExistsError,
    {f.Entity}LimitExceededError,
    {f.Entity}NotEditableError,
    {f.Entity}NotFoundError,
    Invalid{f.Entity}TransitionError,
)
from app.{f.name}.models.{f.entity} import {f.Entity}
from app.{f.name}.schemas.{f.entity} import (
    {f.Entity}Create,
    {f.Entity}Filter,
    {f.Entity}ListResponse,
    {f.Entity}Response,
    {f.Entity}Update,
)

logger = logging.getLogger(__name__)


class {f.Entity}Service:
    def __init__(
        self,
        session: AsyncSession,
        crud: {f.Entity}CRUD = {f.entity}_crud,
        {f.sub}s: {f.Sub}CRUD = {f.sub_name}_crud,
    ) -> None:
        self.session = session
        self.crud = crud
        self.{f.sub}s = {f.sub}s

    async def create(self, owner_id: int, payload: {f.Entity}Create) -> {f.Entity}Response:
        values = payload.model_dump() | {{"owner_id": owner_id}}
        existing = await self.crud.count_filtered(self.session)
        if existing >= {env} * 100:
            raise {f.Entity}AlreadyExistsError(owner_id)
        {f.entity} = await self.crud.create(self.session, values)
        await self.session.commit()
        logger.info("created {f.entity} %s for owner %s", {f.entity}.id, owner_id)
        return {f.Entity}Response.model_validate({f.entity})

    async def get(self, {f.entity}_id: int) -> {f.Entity}Response:
        return {f.Entity}Response.model_validate(await self._get({f.entity}_id))

    async def list(self, filters: {f.Entity}Filter, *, offset: int, limit: int) -> {f.Entity}ListResponse:
        limit = min(limit, {env})
        rows = await self.crud.list_filtered(
            self.session,
            status=filters.status,
            owner_id=filters.owner_id,
            search=filters.search,
            created_after=filters.created_after,
            sort=filters.sort,
            offset=offset,
            limit=limit,
        )
        total = await self.crud.count_filtered(self.session, status=filters.status)
        items = [{f.Entity}Response.model_validate(row) for row in rows]
        return {f.Entity}ListResponse(items=items, total=total, offset=offset, limit=limit)

    async def update(self, {f.entity}_id: int, payload: {f.Entity}Update) -> {f.Entity}Response:
        {f.entity} = await self._get({f.entity}_id)
        if not {f.entity}.is_editable:
            raise {f.Entity}NotEditableError({f.entity}_id, {f.entity}.status)
        changes = payload.model_dump(exclude_unset=True)
        new_status = changes.pop("status", None)
        if new_status is not None and not {f.entity}.status.can_become(new_status):
            raise Invalid{f.Entity}TransitionError({f.entity}.status, new_status)
        if new_status is not None:
            changes["status"] = new_status
        {f.entity} = await self.crud.update(self.session, {f.entity}, changes)
        await self.session.commit()
        return {f.Entity}Response.model_validate({f.entity})

    async def change_status(self, {f.entity}_id: int, status_value: {f.Entity}Status) -> {f.Entity}Response:
        {f.entity} = await self._get({f.entity}_id)
        if not {f.entity}.status.can_become(status_value):
            raise Invalid{f.Entity}TransitionError({f.entity}.status, status_value)
        try:
            {f.entity} = await self.crud.set_status(self.session, {f.entity}, status_value)
            await self.session.commit()
        except Exception:
            await self.session.rollback()
            raise
        return {f.Entity}Response.model_validate({f.entity})

    async def add_{f.sub}(self, {f.entity}_id: int, values: dict[str, object]) -> int:
        await self._get({f.entity}_id)
        count = await self.{f.sub}s.count_for_{f.entity}(self.session, {f.entity}_id)
        if count >= MAX_{f.sub.upper()}S_PER_{f.entity.upper()}:
            {builtin}
        {f.sub} = await self.{f.sub}s.add_to_{f.entity}(self.session, {f.entity}_id, values)
        await self.session.commit()
        return {f.sub}.id

    async def delete(self, {f.entity}_id: int) -> None:
        {f.entity} = await self._get({f.entity}_id)
        await self.{f.sub}s.remove_all(self.session, {f.entity}.id)
        await self.crud.remove(self.session, {f.entity})
        await self.session.commit()

    async def archive_stale(self, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=ARCHIVE_AFTER_DAYS)
        archived = await self.crud.archive_older_than(self.session, cutoff)
        await self.session.commit()
        logger.info("archived %d {f.table} older than %s", archived, cutoff.isoformat())
        return archived

    async def list_for_owner(self, owner_id: int, *, limit: int = 200) -> {f.Entity}ListResponse:
        filters = {f.Entity}Filter(owner_id=owner_id)
        return await self.list(filters, offset=0, limit=limit)

    async def expire_overdue(self, now: datetime) -> int:
        rows = await self.crud.list_filtered(self.session, status={f.Entity}Status.{f.statuses[0].upper()})
        expired = 0
        for row in rows:
            if row.age_in_days(now.date()) > ARCHIVE_AFTER_DAYS and not row.status.is_terminal:
                await self.crud.set_status(self.session, row, {f.Entity}Status.{f.statuses[-1].upper()})
                expired += 1
        if expired:
            await self.session.commit()
        return expired
{service_extras(f)}{blocking}{direct_query}
    async def _get(self, {f.entity}_id: int) -> {f.Entity}:
        {f.entity} = await self.crud.get(self.session, {f.entity}_id)
        if {f.entity} is None:
            {not_found}
        return {f.entity}
'''


def service_extras(f: Feature) -> str:
    blocks = [f'''
    async def duplicate(self, {f.entity}_id: int, owner_id: int) -> {f.Entity}Response:
        source = await self._get({f.entity}_id)
        values = {{
            column: getattr(source, column)
            for column in ({", ".join(repr(n) for n, *_ in f.fields)})
        }}
        values["owner_id"] = owner_id
        copy = await self.crud.create(self.session, values)
        await self.session.commit()
        logger.info("duplicated {f.entity} %s as %s", source.id, copy.id)
        return {f.Entity}Response.model_validate(copy)
''', f'''
    async def bulk_change_status(
        self, ids: list[int], status_value: {f.Entity}Status
    ) -> dict[int, str]:
        outcome: dict[int, str] = {{}}
        for {f.entity}_id in ids:
            {f.entity} = await self.crud.get(self.session, {f.entity}_id)
            if {f.entity} is None:
                outcome[{f.entity}_id] = "missing"
            elif not {f.entity}.status.can_become(status_value):
                outcome[{f.entity}_id] = "rejected"
            else:
                await self.crud.set_status(self.session, {f.entity}, status_value)
                outcome[{f.entity}_id] = "changed"
        await self.session.commit()
        return outcome
''', f'''
    async def statistics(self) -> dict[str, int]:
        counts: dict[str, int] = {{}}
        for status_value in {f.Entity}Status:
            counts[status_value.value] = await self.crud.count_filtered(
                self.session, status=status_value
            )
        counts["total"] = sum(counts.values())
        return counts
''', f'''
    async def transfer(self, {f.entity}_id: int, new_owner_id: int) -> {f.Entity}Response:
        {f.entity} = await self._get({f.entity}_id)
        if {f.entity}.owner_id == new_owner_id:
            return {f.Entity}Response.model_validate({f.entity})
        if not {f.entity}.is_editable:
            raise {f.Entity}NotEditableError({f.entity}_id, {f.entity}.status)
        {f.entity} = await self.crud.update(self.session, {f.entity}, {{"owner_id": new_owner_id}})
        await self.session.commit()
        logger.info("{f.entity} %s moved to owner %s", {f.entity}_id, new_owner_id)
        return {f.Entity}Response.model_validate({f.entity})
''', '''
    async def import_rows(self, owner_id: int, rows: list[dict[str, object]]) -> int:
        prepared = []
        for row in rows:
            values = {key: value for key, value in row.items() if value not in (None, "")}
            values["owner_id"] = owner_id
            prepared.append(values)
        created = await self.crud.create_many(self.session, prepared)
        await self.session.commit()
        return len(created)
''']
    return extras(f, blocks, 1, 4)


def services_sub(f: Feature) -> str:
    return f'''"""Business rules for {f.sub}s of a {f.entity}."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.{f.name}.crud.{f.entity} import {f.Entity}CRUD, {f.entity}_crud
from app.{f.name}.crud.{f.sub_name} import {f.Sub}CRUD, {f.sub_name}_crud
from app.{f.name}.enums import MAX_{f.sub.upper()}S_PER_{f.entity.upper()}
from app.{f.name}.exceptions import {f.Entity}LimitExceededError, {f.Entity}NotFoundError
from app.{f.name}.schemas.{f.sub_name} import (
    {f.Sub}Create,
    {f.Sub}ListResponse,
    {f.Sub}ReorderUpdate,
    {f.Sub}Response,
)


class {f.Sub}Service:
    def __init__(
        self,
        session: AsyncSession,
        {f.table}: {f.Entity}CRUD = {f.entity}_crud,
        crud: {f.Sub}CRUD = {f.sub_name}_crud,
    ) -> None:
        self.session = session
        self.{f.table} = {f.table}
        self.crud = crud

    async def list(
        self, {f.entity}_id: int, *, offset: int = 0, limit: int = 100
    ) -> {f.Sub}ListResponse:
        await self._ensure_{f.entity}({f.entity}_id)
        rows = await self.crud.list_for_{f.entity}(
            self.session, {f.entity}_id, offset=offset, limit=limit
        )
        total = await self.crud.count_for_{f.entity}(self.session, {f.entity}_id)
        items = [{f.Sub}Response.model_validate(row) for row in rows]
        return {f.Sub}ListResponse(items=items, total=total)

    async def add(
        self, {f.entity}_id: int, payload: {f.Sub}Create, actor_id: int | None
    ) -> {f.Sub}Response:
        await self._ensure_{f.entity}({f.entity}_id)
        count = await self.crud.count_for_{f.entity}(self.session, {f.entity}_id)
        if count >= MAX_{f.sub.upper()}S_PER_{f.entity.upper()}:
            raise {f.Entity}LimitExceededError({f.entity}_id, MAX_{f.sub.upper()}S_PER_{f.entity.upper()})
        row = await self.crud.add_to_{f.entity}(self.session, {f.entity}_id, payload.model_dump())
        await self.crud.record_audit(self.session, row.id, "created", actor_id)
        await self.session.commit()
        return {f.Sub}Response.model_validate(row)

    async def reorder(self, {f.entity}_id: int, payload: {f.Sub}ReorderUpdate) -> None:
        await self._ensure_{f.entity}({f.entity}_id)
        await self.crud.reorder(self.session, {f.entity}_id, payload.ordered_ids)
        await self.session.commit()

    async def copy_all(self, source_id: int, target_id: int) -> Sequence[int]:
        await self._ensure_{f.entity}(source_id)
        await self._ensure_{f.entity}(target_id)
        rows = await self.crud.list_for_{f.entity}(self.session, source_id)
        created = []
        for row in rows:
            values = {{"position": row.position, "kind": row.kind}}
            copy = await self.crud.add_to_{f.entity}(self.session, target_id, values)
            created.append(copy.id)
        await self.session.commit()
        return created

    async def _ensure_{f.entity}(self, {f.entity}_id: int) -> None:
        if await self.{f.table}.get(self.session, {f.entity}_id) is None:
            raise {f.Entity}NotFoundError({f.entity}_id)
'''


def routes_main(f: Feature) -> str:
    extra_imports: List[str] = []
    handlers: List[str] = []
    handlers.append(f'''
@router.post("", response_model={f.Entity}Response, status_code=status.HTTP_201_CREATED)
async def create_{f.entity}(
    payload: {f.Entity}Create, service: {f.Entity}ServiceDep, user: CurrentUserDep
) -> {f.Entity}Response:
    try:
        return await service.create(user.id, payload)
    except {f.Entity}AlreadyExistsError as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from error
''')
    handlers.append(f'''
@router.get("", response_model={f.Entity}ListResponse)
async def list_{f.table}(
    service: {f.Entity}ServiceDep,
    filters: Annotated[{f.Entity}Filter, Depends()],
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
) -> {f.Entity}ListResponse:
    return await service.list(filters, offset=offset, limit=limit)
''')
    if f.violation(0.15):  # DDD203 + DDD006
        handlers.append(f'''
@router.get("/{{{f.entity}_id}}", response_model={f.Entity}Response)
async def get_{f.entity}({f.entity}_id: int, service: {f.Entity}ServiceDep) -> {f.Entity}Response:
    try:
        found = await service.get({f.entity}_id)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    if found.archived_at is not None:
        raise HTTPException(status_code=500, detail="archived {f.entity} leaked")
    return found
''')
    else:
        handlers.append(f'''
@router.get("/{{{f.entity}_id}}", response_model={f.Entity}Response)
async def get_{f.entity}({f.entity}_id: int, service: {f.Entity}ServiceDep) -> {f.Entity}Response:
    try:
        return await service.get({f.entity}_id)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
''')
    handlers.append(f'''
@router.patch("/{{{f.entity}_id}}", response_model={f.Entity}Response)
async def update_{f.entity}(
    {f.entity}_id: int, payload: {f.Entity}Update, service: {f.Entity}ServiceDep
) -> {f.Entity}Response:
    try:
        return await service.update({f.entity}_id, payload)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    except ({f.Entity}NotEditableError, Invalid{f.Entity}TransitionError) as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from error
''')
    handlers.append(f'''
@router.post("/{{{f.entity}_id}}/status", response_model={f.Entity}Response)
async def change_{f.entity}_status(
    {f.entity}_id: int, payload: {f.Entity}StatusUpdate, service: {f.Entity}ServiceDep
) -> {f.Entity}Response:
    try:
        return await service.change_status({f.entity}_id, payload.status)
    except Invalid{f.Entity}TransitionError as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from error
''')
    if f.violation(0.15):  # DDD501 + DDD205
        handlers.append(f'''
@router.get("/{{{f.entity}_id}}/summary")
def {f.entity}_summary({f.entity}_id: int):
    return {{"id": {f.entity}_id, "kind": "{f.entity}"}}
''')
    if f.violation(0.15):  # DDD201 + DDD202 + DDD105
        extra_imports.append("from sqlalchemy import select")
        extra_imports.append("from app.core.database import SessionDep")
        extra_imports.append(f"from app.{f.name}.models.{f.entity} import {f.Entity}")
        handlers.append(f'''
@router.get("/export/ids", response_model=list[int])
async def export_{f.entity}_ids(session: SessionDep) -> list[int]:
    result = await session.execute(select({f.Entity}.id))
    ids = []
    for row in result.all():
        ids.append(row[0])
    return ids
''')
    if f.violation(0.1):  # DDD101 + DDD204
        extra_imports.append(f"from app.{f.name}.crud.{f.entity} import {f.entity}_crud")
        extra_imports.append("from app.core.database import SessionDep")
        extra_imports.append(f"from app.{f.name}.services.{f.entity} import {f.Entity}Service")
        handlers.append(f'''
@router.post("/archive-stale", response_model=int)
async def archive_stale_{f.table}(session: SessionDep) -> int:
    service = {f.Entity}Service(session, {f.entity}_crud)
    return await service.archive_stale()
''')
    optional = [f'''
@router.get("/mine", response_model={f.Entity}ListResponse)
async def list_my_{f.table}(service: {f.Entity}ServiceDep, user: CurrentUserDep) -> {f.Entity}ListResponse:
    return await service.list_for_owner(user.id)
''', f'''
@router.post("/{{{f.entity}_id}}/archive", response_model={f.Entity}Response)
async def archive_{f.entity}(
    {f.entity}_id: int, service: {f.Entity}ServiceDep, user: CurrentUserDep
) -> {f.Entity}Response:
    try:
        return await service.change_status({f.entity}_id, {f.Entity}Status.{f.statuses[-1].upper()})
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    except Invalid{f.Entity}TransitionError as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from error
''', f'''
@router.get("/{{{f.entity}_id}}/history", response_model=list[{f.Entity}Response])
async def {f.entity}_history(
    {f.entity}_id: int,
    service: {f.Entity}ServiceDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[{f.Entity}Response]:
    try:
        current = await service.get({f.entity}_id)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    return [current][:limit]
''', f'''
@router.post("/{{{f.entity}_id}}/restore", response_model={f.Entity}Response)
async def restore_{f.entity}(
    {f.entity}_id: int, service: {f.Entity}ServiceDep
) -> {f.Entity}Response:
    try:
        return await service.change_status({f.entity}_id, {f.Entity}Status.{f.statuses[0].upper()})
    except ({f.Entity}NotFoundError, Invalid{f.Entity}TransitionError) as error:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(error)) from error
''']
    handlers.append(extras(f, optional, 1, 4, separator="\n"))
    handlers.append(f'''
@router.delete("/{{{f.entity}_id}}", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
async def delete_{f.entity}({f.entity}_id: int, service: {f.Entity}ServiceDep) -> None:
    try:
        await service.delete({f.entity}_id)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
''')
    more = "".join(sorted(set(i + "\n" for i in extra_imports)))
    return f'''"""HTTP endpoints of the {f.name} feature: parse, delegate to the service, map errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
{more}
from app.core.security import CurrentUserDep
from app.{f.name}.dependencies import {f.Entity}ServiceDep
from app.{f.name}.enums import {f.Entity}Status
from app.{f.name}.exceptions import (
    {f.Entity}AlreadyExistsError,
    {f.Entity}NotEditableError,
    {f.Entity}NotFoundError,
    Invalid{f.Entity}TransitionError,
)
from app.{f.name}.schemas.{f.entity} import (
    {f.Entity}Create,
    {f.Entity}Filter,
    {f.Entity}ListResponse,
    {f.Entity}Response,
    {f.Entity}StatusUpdate,
    {f.Entity}Update,
)

router = APIRouter(prefix="/{f.table.replace('_', '-')}", tags=["{f.name}"])

''' + "\n".join(handlers)


def routes_sub(f: Feature) -> str:
    pydantic = ""
    if f.violation(0.12):  # DDD404
        pydantic = f'''

class {f.Sub}BulkCreate(BaseModel):
    items: list[{f.Sub}Create] = Field(min_length=1, max_length=100)
'''
    return f'''"""HTTP endpoints for {f.sub}s of a {f.entity}."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from app.core.security import CurrentUserDep
from app.{f.name}.dependencies import {f.Sub}ServiceDep
from app.{f.name}.exceptions import {f.Entity}LimitExceededError, {f.Entity}NotFoundError
from app.{f.name}.schemas.{f.sub_name} import (
    {f.Sub}Create,
    {f.Sub}ListResponse,
    {f.Sub}ReorderUpdate,
    {f.Sub}Response,
)

router = APIRouter(prefix="/{f.table.replace('_', '-')}/{{{f.entity}_id}}/{f.sub}s", tags=["{f.name}"])
{pydantic}

@router.get("", response_model={f.Sub}ListResponse)
async def list_{f.sub}s(
    {f.entity}_id: int,
    service: {f.Sub}ServiceDep,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=500),
) -> {f.Sub}ListResponse:
    try:
        return await service.list({f.entity}_id, offset=offset, limit=limit)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error


@router.post("", response_model={f.Sub}Response, status_code=status.HTTP_201_CREATED)
async def add_{f.sub}(
    {f.entity}_id: int, payload: {f.Sub}Create, service: {f.Sub}ServiceDep, user: CurrentUserDep
) -> {f.Sub}Response:
    try:
        return await service.add({f.entity}_id, payload, actor_id=user.id)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
    except {f.Entity}LimitExceededError as error:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail=str(error)) from error


@router.put("/order", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
async def reorder_{f.sub}s(
    {f.entity}_id: int, payload: {f.Sub}ReorderUpdate, service: {f.Sub}ServiceDep
) -> None:
    try:
        await service.reorder({f.entity}_id, payload)
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error


@router.post("/copy-to/{{target_id}}", response_model=list[int])
async def copy_{f.sub}s(
    {f.entity}_id: int, target_id: int, service: {f.Sub}ServiceDep
) -> list[int]:
    try:
        return list(await service.copy_all({f.entity}_id, target_id))
    except {f.Entity}NotFoundError as error:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=str(error)) from error
'''


def dependencies_module(f: Feature) -> str:
    return f'''"""Dependency providers of the {f.name} feature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query

from app.core.database import SessionDep
from app.core.security import CurrentUserDep
from app.{f.name}.crud.{f.entity} import {f.Entity}CRUD, {f.entity}_crud
from app.{f.name}.crud.{f.sub_name} import {f.Sub}CRUD, {f.sub_name}_crud
from app.{f.name}.services.{f.entity} import {f.Entity}Service
from app.{f.name}.services.{f.sub_name} import {f.Sub}Service


def get_{f.entity}_crud() -> {f.Entity}CRUD:
    return {f.entity}_crud


def get_{f.sub_name}_crud() -> {f.Sub}CRUD:
    return {f.sub_name}_crud


def get_{f.entity}_service(
    session: SessionDep,
    crud: Annotated[{f.Entity}CRUD, Depends(get_{f.entity}_crud)],
    {f.sub}s: Annotated[{f.Sub}CRUD, Depends(get_{f.sub_name}_crud)],
) -> {f.Entity}Service:
    return {f.Entity}Service(session, crud, {f.sub}s)


def get_{f.sub_name}_service(
    session: SessionDep,
    {f.table}: Annotated[{f.Entity}CRUD, Depends(get_{f.entity}_crud)],
    crud: Annotated[{f.Sub}CRUD, Depends(get_{f.sub_name}_crud)],
) -> {f.Sub}Service:
    return {f.Sub}Service(session, {f.table}, crud)


async def require_{f.entity}_editor(
    user: CurrentUserDep,
    x_{f.entity}_scope: Annotated[str | None, Header()] = None,
) -> int:
    scopes = set((x_{f.entity}_scope or "").split())
    if "{f.name}:write" not in scopes and not user.is_admin:
        raise PermissionError("{f.name}:write scope required")
    return user.id


class {f.Entity}Pagination:
    def __init__(
        self,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> None:
        self.offset = offset
        self.limit = limit

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1


def {f.entity}_id_path({f.entity}_id: Annotated[int, Path(gt=0)]) -> int:
    return {f.entity}_id


{f.Entity}ServiceDep = Annotated[{f.Entity}Service, Depends(get_{f.entity}_service)]
{f.Entity}PaginationDep = Annotated[{f.Entity}Pagination, Depends()]
{f.Entity}IdDep = Annotated[int, Depends({f.entity}_id_path)]
{f.Sub}ServiceDep = Annotated[{f.Sub}Service, Depends(get_{f.sub_name}_service)]
{f.Entity}EditorDep = Annotated[int, Depends(require_{f.entity}_editor)]
'''


def exceptions_module(f: Feature) -> str:
    return f'''"""Domain errors of the {f.name} feature; routes translate them to HTTP responses."""

from __future__ import annotations

from app.core.exceptions import DomainError
from app.{f.name}.enums import {f.Entity}Status


class {f.Entity}Error(DomainError):
    """Base class of every {f.name} error."""


class {f.Entity}NotFoundError({f.Entity}Error):
    def __init__(self, {f.entity}_id: int) -> None:
        super().__init__(f"{f.entity} {{{f.entity}_id}} not found")
        self.{f.entity}_id = {f.entity}_id


class {f.Entity}AlreadyExistsError({f.Entity}Error):
    def __init__(self, owner_id: int) -> None:
        super().__init__(f"owner {{owner_id}} already has too many {f.table}")
        self.owner_id = owner_id


class {f.Entity}NotEditableError({f.Entity}Error):
    def __init__(self, {f.entity}_id: int, status: {f.Entity}Status) -> None:
        super().__init__(f"{f.entity} {{{f.entity}_id}} is {{status.value}} and cannot change")
        self.{f.entity}_id = {f.entity}_id
        self.status = status


class Invalid{f.Entity}TransitionError({f.Entity}Error):
    def __init__(self, current: {f.Entity}Status, requested: {f.Entity}Status) -> None:
        super().__init__(f"cannot move a {f.entity} from {{current.value}} to {{requested.value}}")
        self.current = current
        self.requested = requested


class {f.Entity}LimitExceededError({f.Entity}Error):
    def __init__(self, {f.entity}_id: int, limit: int) -> None:
        super().__init__(f"{f.entity} {{{f.entity}_id}} already has {{limit}} {f.sub}s")
        self.{f.entity}_id = {f.entity}_id
        self.limit = limit


class {f.Sub}NotFoundError({f.Entity}Error):
    def __init__(self, {f.sub}_id: int) -> None:
        super().__init__(f"{f.sub} {{{f.sub}_id}} not found")
        self.{f.sub}_id = {f.sub}_id


class {f.Entity}PermissionError({f.Entity}Error):
    def __init__(self, {f.entity}_id: int, actor_id: int) -> None:
        super().__init__(f"user {{actor_id}} may not change {f.entity} {{{f.entity}_id}}")
        self.{f.entity}_id = {f.entity}_id
        self.actor_id = actor_id


class {f.Entity}QuotaError({f.Entity}Error):
    def __init__(self, owner_id: int, used: int, quota: int) -> None:
        super().__init__(f"owner {{owner_id}} used {{used}} of {{quota}} {f.table}")
        self.owner_id = owner_id
        self.used = used
        self.quota = quota


ERROR_CODES: dict[type[{f.Entity}Error], str] = {{
    {f.Entity}NotFoundError: "{f.entity}_not_found",
    {f.Entity}AlreadyExistsError: "{f.entity}_exists",
    {f.Entity}NotEditableError: "{f.entity}_locked",
    Invalid{f.Entity}TransitionError: "{f.entity}_bad_transition",
    {f.Entity}LimitExceededError: "{f.entity}_limit",
    {f.Sub}NotFoundError: "{f.sub}_not_found",
    {f.Entity}PermissionError: "{f.entity}_forbidden",
    {f.Entity}QuotaError: "{f.entity}_quota",
}}
'''


def tasks_module(f: Feature) -> str:
    session_line = "async with session_scope() as session:"
    if f.violation(0.15):  # DDD603
        session_line = f.rng.choice(["async with async_session_maker() as session:",
                                     "async with AsyncSession(engine) as session:"])
    return f'''"""Background jobs of the {f.name} feature."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import async_session_maker, engine, session_scope
from app.core.settings import settings
from app.{f.name}.services.{f.entity} import {f.Entity}Service

logger = logging.getLogger(__name__)


async def archive_stale_{f.table}() -> int:
    """Archive {f.table} nobody touched for a while; runs nightly."""
    {session_line}
        service = {f.Entity}Service(session)
        archived = await service.archive_stale(datetime.now(timezone.utc))
    logger.info("nightly archive: %d {f.table}", archived)
    return archived


async def notify_owners(ids: list[int], *, batch_size: int = 50) -> None:
    """Send the daily digest to the owners of the given {f.table}."""
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        async with session_scope() as session:
            service = {f.Entity}Service(session)
            for {f.entity}_id in batch:
                {f.entity} = await service.get({f.entity}_id)
                logger.debug("digest for owner %s: {f.entity} %s", {f.entity}.owner_id, {f.entity}.id)
        await asyncio.sleep(settings.digest_pause_seconds)


async def recompute_{f.sub}_counts(owner_ids: list[int]) -> dict[int, int]:
    """Recount {f.sub}s per owner after an import; the numbers feed the dashboard."""
    counts: dict[int, int] = {{}}
    async with session_scope() as session:
        service = {f.Entity}Service(session)
        for owner_id in owner_ids:
            page = await service.list_for_owner(owner_id)
            counts[owner_id] = page.total
    logger.info("recounted {f.sub}s for %d owners", len(counts))
    return counts


async def expire_overdue(now: datetime | None = None) -> int:
    moment = now or datetime.now(timezone.utc)
    async with session_scope() as session:
        service = {f.Entity}Service(session)
        expired = await service.expire_overdue(moment)
    if expired:
        logger.warning("expired %d overdue {f.table}", expired)
    return expired


async def run_forever(interval_seconds: float = 3600.0) -> None:
    while True:
        try:
            await archive_stale_{f.table}()
        except Exception:
            logger.exception("archive job of {f.name} failed")
        await asyncio.sleep(interval_seconds)
'''


def tests_module(f: Feature) -> str:
    return f'''"""Service tests of the {f.name} feature."""

from __future__ import annotations

from unittest.mock import AsyncMock, MagicMock

import pytest

from app.{f.name}.enums import {f.Entity}Status
from app.{f.name}.exceptions import {f.Entity}NotFoundError, Invalid{f.Entity}TransitionError
from app.{f.name}.services.{f.entity} import {f.Entity}Service


@pytest.fixture
def session() -> AsyncMock:
    return AsyncMock()


@pytest.fixture
def crud() -> MagicMock:
    crud = MagicMock()
    crud.get = AsyncMock(return_value=None)
    crud.count_filtered = AsyncMock(return_value=0)
    return crud


@pytest.mark.asyncio
async def test_get_missing_raises(session: AsyncMock, crud: MagicMock) -> None:
    service = {f.Entity}Service(session, crud)
    with pytest.raises({f.Entity}NotFoundError):
        await service.get(42)


@pytest.mark.asyncio
async def test_delete_missing_does_not_commit(session: AsyncMock, crud: MagicMock) -> None:
    service = {f.Entity}Service(session, crud)
    with pytest.raises({f.Entity}NotFoundError):
        await service.delete(7)
    session.commit.assert_not_awaited()


@pytest.mark.asyncio
async def test_change_status_rejects_invalid_transition(session: AsyncMock, crud: MagicMock) -> None:
    current = MagicMock(status={f.Entity}Status.{f.statuses[-1].upper()})
    current.status = MagicMock()
    current.status.can_become.return_value = False
    crud.get = AsyncMock(return_value=current)
    service = {f.Entity}Service(session, crud)
    with pytest.raises(Invalid{f.Entity}TransitionError):
        await service.change_status(1, {f.Entity}Status.{f.statuses[0].upper()})
    session.commit.assert_not_awaited()


@pytest.mark.asyncio
async def test_archive_stale_commits_once(session: AsyncMock, crud: MagicMock) -> None:
    crud.archive_older_than = AsyncMock(return_value=3)
    service = {f.Entity}Service(session, crud)
    assert await service.archive_stale() == 3
    session.commit.assert_awaited_once()


@pytest.mark.asyncio
async def test_update_of_missing_{f.entity}(session: AsyncMock, crud: MagicMock) -> None:
    service = {f.Entity}Service(session, crud)
    with pytest.raises({f.Entity}NotFoundError):
        await service.update(99, MagicMock())
    crud.update.assert_not_called()


def test_terminal_statuses_have_no_successor() -> None:
    for status in {f.Entity}Status:
        if status.is_terminal:
            assert not any(status.can_become(other) for other in {f.Entity}Status)


@pytest.mark.parametrize("status", list({f.Entity}Status))
def test_every_status_has_transitions(status: {f.Entity}Status) -> None:
    assert isinstance(status.is_terminal, bool)
'''


# --- application-wide modules ----------------------------------------------------------------

CORE_SETTINGS = '''"""Application settings, loaded once from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, PostgresDsn, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="APP_", extra="ignore")

    app_name: str = "bench"
    environment: str = Field(default="development", pattern=r"^(development|staging|production)$")
    debug: bool = False
    database_url: PostgresDsn = Field(default="postgresql+asyncpg://app:app@localhost:5432/app")
    pool_size: int = Field(default=10, ge=1, le=100)
    pool_overflow: int = Field(default=5, ge=0, le=100)
    echo_sql: bool = False
    page_size_limit: int = Field(default=100, ge=1, le=1000)
    digest_pause_seconds: float = Field(default=0.5, ge=0)
    cors_origins: list[str] = Field(default_factory=list)
    secret_key: str = Field(default="change-me", min_length=8)
    access_token_minutes: int = Field(default=30, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = get_settings()
'''

CORE_DATABASE = '''"""The database engine and the session lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.settings import settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

engine = create_async_engine(
    str(settings.database_url),
    echo=settings.echo_sql,
    pool_size=settings.pool_size,
    max_overflow=settings.pool_overflow,
    pool_pre_ping=True,
)
async_session_maker = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    """Declarative base of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per request; services decide when to commit."""
    async with async_session_maker() as session:
        try:
            yield session
        finally:
            await session.close()


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """A session for background jobs, closed on exit; the job's service commits."""
    async with async_session_maker() as session:
        yield session


async def dispose_engine() -> None:
    await engine.dispose()


SessionDep = Annotated[AsyncSession, Depends(get_session)]
'''

CORE_CRUD = '''"""Generic data access every feature's CRUD class inherits: query, add, flush."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.database import Base

ModelT = TypeVar("ModelT", bound=Base)


class CRUDBase(Generic[ModelT]):
    """Queries, add and flush for one model. Never commits: the service owns the transaction."""

    def __init__(self, model: type[ModelT]) -> None:
        self.model = model

    async def get(self, session: AsyncSession, id: Any) -> ModelT | None:
        return await session.get(self.model, id)

    async def get_many(
        self, session: AsyncSession, *, offset: int = 0, limit: int = 50
    ) -> Sequence[ModelT]:
        result = await session.scalars(select(self.model).offset(offset).limit(limit))
        return result.all()

    async def get_by_ids(self, session: AsyncSession, ids: Sequence[Any]) -> Sequence[ModelT]:
        if not ids:
            return []
        result = await session.scalars(select(self.model).where(self.model.id.in_(ids)))
        return result.all()

    async def count(self, session: AsyncSession) -> int:
        total = await session.scalar(select(func.count()).select_from(self.model))
        return total or 0

    async def exists(self, session: AsyncSession, id: Any) -> bool:
        statement = select(func.count()).select_from(self.model).where(self.model.id == id)
        return bool(await session.scalar(statement))

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
'''

CORE_EXCEPTIONS = '''"""Application-wide error handling: the domain error base and its HTTP translation."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base class of every expected, domain-level error."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    status_code = status.HTTP_404_NOT_FOUND


class ConflictError(DomainError):
    status_code = status.HTTP_409_CONFLICT


class PermissionDeniedError(DomainError):
    status_code = status.HTTP_403_FORBIDDEN


async def domain_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    logger.info("%s %s -> %s", request.method, request.url.path, type(error).__name__)
    return JSONResponse(
        status_code=error.status_code,
        content={"detail": error.message, "type": type(error).__name__},
    )


async def permission_error_handler(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_403_FORBIDDEN, content={"detail": str(error)})


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(PermissionError, permission_error_handler)
'''

CORE_SECURITY = '''"""The current user, resolved from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.settings import settings

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    is_admin: bool = False


def decode_token(token: str) -> CurrentUser | None:
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return CurrentUser(id=int(parts[1]), email=f"user{parts[1]}@example.com", is_admin=parts[0] == "admin")


async def get_current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> CurrentUser:
    if credentials is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="not authenticated")
    user = decode_token(credentials.credentials)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="invalid token")
    if settings.is_production and user.is_admin and not user.email.endswith("@example.com"):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="admin outside domain")
    return user


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]
'''

CORE_MIDDLEWARE = '''"""Application-wide interceptors: request ids and timing."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from app.core.settings import settings

logger = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"


async def request_id_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = request.headers.get(REQUEST_ID_HEADER) or uuid.uuid4().hex
    request.state.request_id = request_id
    response = await call_next(request)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response


async def timing_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
    if elapsed_ms > 500:
        logger.warning("slow request %s %s: %.0f ms", request.method, request.url.path, elapsed_ms)
    return response


def install_middleware(app: FastAPI) -> None:
    app.middleware("http")(timing_middleware)
    app.middleware("http")(request_id_middleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=True,
        )
'''

MAIN = '''"""The ASGI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.apis.v1 import api_router
from app.core.database import dispose_engine
from app.core.exceptions import install_exception_handlers
from app.core.middleware import install_middleware
from app.core.settings import settings

logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await dispose_engine()


def create_app() -> FastAPI:
    app = FastAPI(title=settings.app_name, debug=settings.debug, lifespan=lifespan)
    install_middleware(app)
    install_exception_handlers(app)
    app.include_router(api_router, prefix="/v1")

    @app.get("/health", response_model=dict[str, str])
    async def health() -> dict[str, str]:
        return {"status": "ok", "environment": settings.environment}

    return app


app = create_app()
'''


def apis_v1(features: List[Feature]) -> str:
    imports = []
    includes = []
    for f in features:
        imports.append(f"from app.{f.name}.routes import {f.entity} as {f.name}_routes")
        imports.append(f"from app.{f.name}.routes import {f.sub_name} as {f.name}_{f.sub}_routes")
        includes.append(f"api_router.include_router({f.name}_routes.router)")
        includes.append(f"api_router.include_router({f.name}_{f.sub}_routes.router)")
    return ('"""Version 1 of the HTTP API: every feature\'s routers under one prefix."""\n\n'
            "from __future__ import annotations\n\nfrom fastapi import APIRouter\n\n"
            + "\n".join(imports) + "\n\napi_router = APIRouter()\n\n" + "\n".join(includes) + "\n")


# --- layout ------------------------------------------------------------------------------------

FeatureFile = Tuple[str, Callable[[Feature], str]]


def feature_files(f: Feature) -> List[FeatureFile]:
    n, e, s = f.name, f.entity, f.sub_name

    def package(layer: str, doc: str, modules: List[Tuple[str, List[str]]]) -> Callable[[Feature], str]:
        return lambda _f: init_module(doc, [(f"app.{n}.{layer}.{m}", names) for m, names in modules])

    files: List[FeatureFile] = [
        (f"app/{n}/__init__.py", lambda _f: f'"""The {n} feature."""\n'),
        (f"app/{n}/enums.py", enums_module),
        (f"app/{n}/exceptions.py", exceptions_module),
        (f"app/{n}/models/__init__.py",
         package("models", f"ORM models of the {n} feature.",
                 [(e, [f.Entity]), (s, [f.Sub, f.Sub + "Audit"])])),
        (f"app/{n}/models/{e}.py", models_main),
        (f"app/{n}/models/{s}.py", models_sub),
        (f"app/{n}/schemas/__init__.py", lambda _f: f'"""Schemas of the {n} feature."""\n'),
        (f"app/{n}/schemas/{e}.py", schemas_main),
        (f"app/{n}/schemas/{s}.py", schemas_sub),
        (f"app/{n}/crud/__init__.py",
         package("crud", f"Data access of the {n} feature.", [(e, [f"{e}_crud"]), (s, [f"{s}_crud"])])),
        (f"app/{n}/crud/{e}.py", crud_main),
        (f"app/{n}/crud/{s}.py", crud_sub),
        (f"app/{n}/services/__init__.py", lambda _f: f'"""Services of the {n} feature."""\n'),
        (f"app/{n}/services/{e}.py", services_main),
        (f"app/{n}/services/{s}.py", services_sub),
        (f"app/{n}/routes/__init__.py", lambda _f: f'"""HTTP routes of the {n} feature."""\n'),
        (f"app/{n}/routes/{e}.py", routes_main),
        (f"app/{n}/routes/{s}.py", routes_sub),
        (f"app/{n}/dependencies.py", dependencies_module),
        (f"app/{n}/tasks.py", tasks_module),
    ]
    if f.has_tests:
        files += [(f"app/{n}/tests/__init__.py", lambda _f: ""),
                  (f"app/{n}/tests/test_{e}_service.py", tests_module)]
    return files


def prune_imports(text: str) -> str:
    """Drop imported names the module never uses (the templates import generously)."""
    tree = ast.parse(text)
    lines = text.splitlines(True)
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    spans = {(node.lineno, node.end_lineno) for node in imports}
    rest = "".join(line for number, line in enumerate(lines, 1)
                   if not any(low <= number <= high for low, high in spans))
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rest))
    for node in sorted(imports, key=lambda n: -n.lineno):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        kept = [a for a in node.names
                if (a.asname or a.name).split(".")[0] in words or a.name == "*"]
        if len(kept) == len(node.names):
            continue
        indent = lines[node.lineno - 1][:node.col_offset]
        names = [a.name + (f" as {a.asname}" if a.asname else "") for a in kept]
        if not kept:
            replacement = [indent + "pass\n"] if indent else []
        elif isinstance(node, ast.Import):
            replacement = [f"{indent}import {', '.join(names)}\n"]
        else:
            head = f"{indent}from {'.' * node.level}{node.module or ''} import "
            one = head + ", ".join(names)
            if len(one) <= 100:
                replacement = [one + "\n"]
            else:
                replacement = [head + "(\n"] + [f"{indent}    {n},\n" for n in names] + [indent + ")\n"]
        lines[node.lineno - 1:node.end_lineno] = replacement
    text = "".join(lines)
    return re.sub(r"\n{3,}(?=(from|import) )", "\n\n", text)


def plan(total: int, seed: int) -> Dict[str, str]:
    """Relative path -> source text of every Python file, exactly ``total`` of them."""
    if total < 20:
        raise ValueError("at least 20 files")
    rng = random.Random(seed)
    fixed = {
        "app/__init__.py": '"""The application package."""\n',
        "app/main.py": MAIN,
        "app/core/__init__.py": '"""Application-wide building blocks."""\n',
        "app/core/settings.py": CORE_SETTINGS,
        "app/core/database.py": CORE_DATABASE,
        "app/core/crud.py": CORE_CRUD,
        "app/core/exceptions.py": CORE_EXCEPTIONS,
        "app/core/security.py": CORE_SECURITY,
        "app/core/middleware.py": CORE_MIDDLEWARE,
        "app/apis/__init__.py": '"""Versioned APIs."""\n',
    }
    budget = total - len(fixed) - 1  # apis/v1.py is written last
    names = [FEATURE_WORDS[i % len(FEATURE_WORDS)] if i < len(FEATURE_WORDS)
             else f"{FEATURE_WORDS[i % len(FEATURE_WORDS)]}_{i // len(FEATURE_WORDS)}"
             for i in range(total)]
    files: Dict[str, str] = {}
    features: List[Feature] = []
    index = 0
    while budget > 0:
        feature = Feature(index, rng, names[:max(index, 1)])
        features.append(feature)
        for path, render in feature_files(feature):
            if budget == 0:
                break
            text = render(feature)
            files[path] = text if path.endswith("__init__.py") else prune_imports(text)
            budget -= 1
        index += 1
    files.update(fixed)
    # Routers of a feature cut short may be missing; include only those written.
    complete = [f for f in features
                if f"app/{f.name}/routes/{f.sub_name}.py" in files]
    files["app/apis/v1.py"] = apis_v1(complete)
    assert len(files) == total, (len(files), total)
    return files


#: flake8 (and ``flake8-ddd check``) configuration of the tree: every rule on, opt-in ones too.
SETUP_CFG = """\
[flake8]
max-line-length = 110
extend-select = DDD105,DDD403,DDD404,DDD604,DDD605
exclude = .git,__pycache__,.venv*,.flake8_ddd_cache
"""


def write(root: str, files: Dict[str, str], check: bool = True) -> None:
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    with open(os.path.join(root, "setup.cfg"), "w", encoding="utf-8") as handle:
        handle.write(SETUP_CFG)
    for relative, text in sorted(files.items()):
        if check:
            ast.parse(text, relative)
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def generate(total: int, out: Optional[str] = None, seed: int = DEFAULT_SEED) -> Tuple[str, int]:
    """Write the tree; its root and its number of lines."""
    root = out or os.path.join(DEFAULT_ROOT, str(total))
    files = plan(total, seed)
    write(root, files)
    return root, sum(text.count("\n") for text in files.values())


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=int, nargs="+", help="number of Python files (20-100000)")
    parser.add_argument("--out", help=f"output directory (default {DEFAULT_ROOT}/<files>; "
                                      "only with one size)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.out and len(args.files) > 1:
        parser.error("--out takes one size")
    for total in args.files:
        root, lines = generate(total, args.out, args.seed)
        print(f"{root}: {total} files, {lines} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
