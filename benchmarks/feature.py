"""The names and random choices of one synthetic feature (benchmarks/generate.py)."""

from __future__ import annotations

import random
from typing import List

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
        self.SUB, self.ENTITY = self.sub.upper(), self.entity.upper()
        self.FIRST_STATUS, self.LAST_STATUS = self.statuses[0].upper(), self.statuses[-1].upper()
        self.table_slug = self.table.replace("_", "-")

    def violation(self, probability: float = 0.17) -> bool:
        return self.rng.random() < probability
