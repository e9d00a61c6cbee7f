"""The project index: facts read from several files and resolved together (in-process)."""

from __future__ import annotations

import ast
import json
import os
import textwrap
from pathlib import Path
from typing import Dict

import pytest

from flake8_ddd import cache_store, project_store
from flake8_ddd.project_facts import FileFacts, read_facts
from flake8_ddd.project_index import BODY, HTTP, ORM, SCHEMA, ProjectIndex


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


HTTP_TREE = {
    "pyproject.toml": "",
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/exceptions.py": """
        from fastapi import HTTPException


        class AppHTTPError(HTTPException):
            pass


        class DomainError(Exception):
            pass
        """,
    "app/user/__init__.py": "from .errors import *\n",
    "app/user/exceptions.py": """
        from app.core.exceptions import AppHTTPError as Base
        from app.core import exceptions as core_exceptions


        class UserError(Base):
            pass


        class UserDomainError(core_exceptions.DomainError):
            pass
        """,
    "app/user/errors.py": """
        from .exceptions import UserError
        from starlette import exceptions


        class UserNotFound(UserError):
            pass


        class Forbidden(exceptions.HTTPException):
            pass


        Missing = UserNotFound
        """,
    "app/user/services/__init__.py": "",
    "app/user/services/user.py": """
        from app.user.errors import UserNotFound as NotFound
        from app.user import Forbidden
        from app.user.exceptions import UserDomainError


        class HTTPException(Exception):
            pass


        class LocalError(HTTPException):
            pass
        """,
}

SCHEMA_TREE = {
    "setup.cfg": "",
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/schemas.py": """
        from pydantic import BaseModel


        class Schema(BaseModel):
            pass
        """,
    "app/core/database.py": """
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass


        class Abstract(Base):
            __abstract__ = True
        """,
    "app/user/__init__.py": "",
    "app/user/models.py": """
        from pydantic import BaseModel


        class UserPublic(BaseModel):
            name: str
        """,
    "app/user/schemas.py": """
        from app.core.schemas import Schema


        class UserLogin(Schema):
            email: str


        class UserSelf(Schema):
            name: str


        class UserList(Schema):
            names: list


        class UserFilter(Schema):
            name: str


        class UserTags(Schema):
            tag: str


        class UserResponse(Schema):
            name: str
        """,
    "app/order/__init__.py": "",
    "app/order/models.py": """
        from app.core.database import Abstract


        class Order(Abstract):
            __tablename__ = "orders"


        class SpecialOrder(Order):
            pass
        """,
    "app/order/tables.py": """
        from sqlmodel import SQLModel


        class ItemBase(SQLModel):
            name: str


        class Item(ItemBase, table=True):
            pass
        """,
    "app/order/routes.py": """
        from typing import Annotated, List, Optional

        from fastapi import APIRouter, Body, Depends, Query

        from app.user import schemas
        from app.user.schemas import UserFilter, UserList, UserLogin, UserResponse, UserTags
        from app.order.tables import ItemBase

        router = APIRouter()


        @router.post("/login")
        async def login(payload: Annotated[UserLogin, Body(embed=True)],
                        filters: Annotated[UserFilter, Query()],
                        current: UserResponse = Depends(get_user)) -> UserResponse:
            ...


        def make_router():
            @router.put("/me")
            async def update_me(me: "schemas.UserSelf | None" = None,
                                many: Optional[List[UserList]] = None,
                                item: ItemBase = Body(...)) -> None:
                ...
            return router


        async def not_a_route(tags: UserTags) -> None:
            ...
        """,
}


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(src(text) if text else "")
    return root


@pytest.fixture(autouse=True)
def own_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache_store.ENV_CACHE_DIR, str(tmp_path / "cache"))
    project_store.forget()
    yield
    project_store.forget()


def index_of(root: Path) -> ProjectIndex:
    return project_store.index_for(str(root / "app" / "__init__.py"))


# --- HTTP exceptions --------------------------------------------------------------------------

def test_http_exception_two_levels_deep_across_three_files(tmp_path):
    index = index_of(write_tree(tmp_path, HTTP_TREE))
    assert index.is_kind("app.core.exceptions.AppHTTPError", HTTP)
    assert index.is_kind("app.user.exceptions.UserError", HTTP)
    assert index.is_kind("app.user.errors.UserNotFound", HTTP)
    assert index.is_kind("app.user.errors.Forbidden", HTTP)  # starlette, through a module import
    assert not index.is_kind("app.user.exceptions.UserDomainError", HTTP)
    assert not index.is_kind("app.core.exceptions.DomainError", HTTP)


def test_alias_imports_and_package_reexports_resolve_to_the_subclass(tmp_path):
    index = index_of(write_tree(tmp_path, HTTP_TREE))
    assert index.resolve("app.user.services.user.NotFound") == "app.user.errors.UserNotFound"
    assert index.is_kind("app.user.services.user.NotFound", HTTP)
    assert index.is_kind("app.user.Forbidden", HTTP)  # via ``from .errors import *``
    assert index.is_kind("app.user.errors.Missing", HTTP)  # ``Missing = UserNotFound``


def test_a_local_class_named_like_http_exception_is_not_one(tmp_path):
    index = index_of(write_tree(tmp_path, HTTP_TREE))
    assert not index.is_kind("app.user.services.user.LocalError", HTTP)
    assert not index.is_kind("app.user.services.user.HTTPException", HTTP)


def test_a_cycle_of_bases_ends_as_no():
    facts = [read_facts(ast.parse(src("""
        from app.b import B


        class A(B):
            pass
        """)), ("app", "a")), read_facts(ast.parse(src("""
        from app.a import A


        class B(A):
            pass
        """)), ("app", "b"))]
    index = ProjectIndex.of(facts)
    assert index.kinds("app.a.A") == ""
    assert index.resolve("app.a.Nothing") == "app.a.Nothing"


# --- ORM classes and schemas ------------------------------------------------------------------

def test_orm_classes_through_project_bases_and_sqlmodel_tables(tmp_path):
    index = index_of(write_tree(tmp_path, SCHEMA_TREE))
    assert index.is_kind("app.order.models.Order", ORM)
    assert index.is_kind("app.order.models.SpecialOrder", ORM)  # single-table inheritance
    assert not index.is_kind("app.core.database.Base", ORM)
    assert not index.is_kind("app.core.database.Abstract", ORM)
    assert index.is_kind("app.order.tables.Item", ORM)
    assert not index.is_kind("app.order.tables.ItemBase", ORM)
    assert index.module_orm("app.order.models") == "defines"
    assert index.module_orm("app.order.tables") == "defines"
    assert index.module_orm("app.order.routes") == ""  # imports ItemBase, a schema


def test_a_pydantic_only_models_module_defines_no_orm_class(tmp_path):
    index = index_of(write_tree(tmp_path, SCHEMA_TREE))
    assert index.is_kind("app.user.models.UserPublic", SCHEMA)
    assert not index.is_kind("app.user.models.UserPublic", ORM)
    assert index.module_orm("app.user.models") == ""
    assert index.module_orm("app.user") == ""


def test_schemas_used_as_request_bodies_in_another_features_routes(tmp_path):
    index = index_of(write_tree(tmp_path, SCHEMA_TREE))
    assert index.body_schemas() == {
        "app.user.schemas.UserLogin",  # Annotated[..., Body()]
        "app.user.schemas.UserSelf",  # a string annotation, X | None, in a router factory
        "app.user.schemas.UserList",  # Optional[List[...]]
        "app.order.tables.ItemBase",  # a SQLModel class without a table, = Body(...)
    }
    assert index.is_kind("app.user.schemas.UserLogin", BODY)
    for not_a_body in ("UserFilter", "UserResponse", "UserTags"):  # Query, Depends, no route
        assert not index.is_kind(f"app.user.schemas.{not_a_body}", BODY)
        assert index.is_kind(f"app.user.schemas.{not_a_body}", SCHEMA)


def test_the_file_being_checked_overrides_its_stored_facts(tmp_path):
    index = index_of(write_tree(tmp_path, SCHEMA_TREE))
    edited = read_facts(ast.parse(src("""
        from app.user.schemas import UserTags


        @router.patch("/tags")
        async def tag(tags: UserTags) -> None:
            ...
        """)), ("app", "order", "routes"))
    assert index.with_module(edited).body_schemas() == {"app.user.schemas.UserTags"}
    assert "app.user.schemas.UserLogin" in index.body_schemas()


# --- on disk ----------------------------------------------------------------------------------

def test_warm_run_reads_the_stored_facts_without_parsing(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "project", HTTP_TREE)
    assert index_of(root).is_kind("app.user.errors.UserNotFound", HTTP)
    project_store.forget()  # stores what was read

    def no_parsing(*args):
        raise AssertionError("a stored, unchanged file was parsed again")

    monkeypatch.setattr(project_store, "facts_of_source", no_parsing)
    assert index_of(root).is_kind("app.user.errors.UserNotFound", HTTP)


def test_an_edited_base_in_one_file_changes_the_answer_and_digest_of_another(tmp_path):
    root = write_tree(tmp_path / "project", HTTP_TREE)
    before = index_of(root).digest("app.user.services.user")
    project_store.forget()
    path = root / "app" / "core" / "exceptions.py"
    path.write_text(path.read_text().replace("AppHTTPError(HTTPException)", "AppHTTPError(Exception)"))
    os.utime(path, ns=(1, 1))  # a new mtime even on coarse clocks
    index = index_of(root)
    assert not index.is_kind("app.user.services.user.NotFound", HTTP)
    assert index.digest("app.user.services.user") != before
    unrelated = index.digest("app.user.services")
    project_store.forget()
    assert index_of(root).digest("app.user.services") == unrelated


def test_a_corrupt_or_foreign_index_file_is_rebuilt(tmp_path):
    root = write_tree(tmp_path / "project", HTTP_TREE)
    path = project_store.index_path(str(root))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for content in ("{not json", json.dumps({"format": 1, "root": "/elsewhere", "files": {}}),
                    json.dumps({"format": 1, "root": str(root), "files": {"x.py": [1]}})):
        Path(path).write_text(content)
        project_store.forget()
        assert index_of(root).is_kind("app.user.errors.UserNotFound", HTTP)


def test_unparsable_files_have_no_facts(tmp_path):
    root = write_tree(tmp_path / "project", {**HTTP_TREE, "app/user/errors.py": "class (:\n"})
    index = index_of(root)
    assert not index.is_kind("app.user.errors.UserNotFound", HTTP)
    assert index.facts("app.user.errors") == FileFacts("app.user.errors", (), (), (), ())


def test_without_a_project_the_index_is_empty_and_never_fails(tmp_path):
    lone = tmp_path / "lone" / "script.py"
    lone.parent.mkdir()
    lone.write_text("from fastapi import HTTPException\n")
    index = project_store.index_for(str(lone))
    assert index.summary()["modules"] in (0, 1)
    assert not index.is_kind("script.Anything", HTTP)
    stdin_index = project_store.index_for("stdin", cwd=str(lone.parent))
    assert stdin_index.digest("stdin") == ""


def test_virtual_environments_and_hidden_directories_are_not_the_project(tmp_path):
    root = write_tree(tmp_path / "project", {
        **HTTP_TREE,
        ".venv/pyvenv.cfg": "",
        ".venv/lib/fastapi/__init__.py": "class HTTPException(Exception):\n    pass\n",
        "env/pyvenv.cfg": "",
        "env/lib/thing.py": "",
        "node_modules/x.py": "",
    })
    modules = set(index_of(root).source.all_modules())
    assert not any("venv" in m or m.startswith(("env", "node_modules", "lib")) for m in modules)
    assert "app.user.errors" in modules


def test_a_namespace_application_package_is_found_by_its_path_from_the_root(tmp_path):
    """``app/`` without ``__init__.py`` beside ``pyproject.toml``, its packages importing each
    other as ``app.x``: modules are found by both names."""
    root = write_tree(tmp_path / "project", {
        "pyproject.toml": "",
        "app/exceptions/__init__.py": "from .client import NotFound\n",
        "app/exceptions/client.py": "from .base import Base\n\n\nclass NotFound(Base):\n    pass\n",
        "app/exceptions/base.py": ("from fastapi import HTTPException\n\n\n"
                                   "class Base(HTTPException):\n    pass\n"),
        "app/services/users.py": "from app.exceptions import NotFound\n",
    })
    index = project_store.index_for(str(root / "app" / "services" / "users.py"))
    assert index.is_kind("app.exceptions.NotFound", HTTP)
    assert index.is_kind("app.exceptions.client.NotFound", HTTP)


def test_the_checked_file_as_on_disk_is_adopted_and_an_edited_buffer_is_not(tmp_path, monkeypatch):
    root = write_tree(tmp_path / "project", HTTP_TREE)
    path = root / "app" / "user" / "errors.py"
    text = path.read_text()
    index = project_store.index_for(str(path))
    facts = read_facts(ast.parse(text), ("app", "user", "errors"))
    assert index.seen_from("app.user.errors", text, lambda: facts) is index
    edited = text.replace("UserNotFound(UserError)", "UserNotFound(Exception)")
    seen = index.seen_from("app.user.errors", edited,
                           lambda: read_facts(ast.parse(edited), ("app", "user", "errors")))
    assert seen is not index and not seen.is_kind("app.user.errors.UserNotFound", HTTP)
    assert index.is_kind("app.user.errors.UserNotFound", HTTP)
    project_store.forget()  # stores the adopted facts

    def no_parsing(*args):
        raise AssertionError("an adopted file was parsed")

    monkeypatch.setattr(project_store, "facts_of_source", no_parsing)
    assert project_store.index_for(str(path)).facts("app.user.errors") == facts


def test_a_module_named_setup_in_a_package_is_not_a_project_marker(tmp_path):
    root = write_tree(tmp_path / "project", {**HTTP_TREE, "app/user/services/setup.py": ""})
    path = root / "app" / "user" / "services" / "user.py"
    assert project_store.project_root(str(path)) == str(root)
