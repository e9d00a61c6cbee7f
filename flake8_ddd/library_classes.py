"""Qualified names of the library classes the project index and the rules recognise.

One list each, for :mod:`flake8_ddd.project_index` (classes of the whole project) and the rules
(``rules/_http``, ``rules/_schemas``: the file being checked). Imports nothing of the package.
"""

from __future__ import annotations

from typing import FrozenSet

#: Where ``HTTPException`` lives in FastAPI and Starlette (FastAPI's is a Starlette subclass).
HTTP_EXCEPTIONS: FrozenSet[str] = frozenset({
    "fastapi.HTTPException", "fastapi.exceptions.HTTPException",
    "starlette.HTTPException", "starlette.exceptions.HTTPException",
})
PYDANTIC_MODELS: FrozenSet[str] = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel",
    "pydantic.RootModel", "pydantic.root_model.RootModel",
    "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
    "pydantic.generics.GenericModel", "pydantic.v1.generics.GenericModel",
})
SQLMODEL_MODELS: FrozenSet[str] = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
SETTINGS_MODELS: FrozenSet[str] = frozenset({
    "pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings", "pydantic.env_settings.BaseSettings",
    "pydantic.v1.BaseSettings", "pydantic.v1.env_settings.BaseSettings",
})
DECLARATIVE_BASES: FrozenSet[str] = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
})
