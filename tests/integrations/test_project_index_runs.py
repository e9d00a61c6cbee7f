"""Cross-file findings (DDD002/003/009/105/402 through the project index) through the real
flake8 with ``--jobs 2`` and through ``flake8-ddd check``, cold and warm: the same findings
every way, and an edit in one file changes a cached finding in another."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from integration_support import make_project, run_check, run_flake8
from harness import codes

CONFIG = "[flake8]\nselect = DDD002,DDD003,DDD009,DDD105,DDD402\n"
TREE = {
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/exceptions.py": """\
        from fastapi import HTTPException


        class AppHTTPError(HTTPException):
            pass
        """,
    "app/core/database.py": """\
        from sqlalchemy.orm import DeclarativeBase


        class Base(DeclarativeBase):
            pass
        """,
    "app/user/__init__.py": "",
    "app/user/exceptions.py": """\
        from app.core.exceptions import AppHTTPError as HTTPBase


        class UserError(HTTPBase):
            pass


        class UserDomainError(Exception):
            pass
        """,
    "app/user/errors.py": """\
        from .exceptions import UserError


        class UserNotFound(UserError):
            pass
        """,
    "app/user/services/__init__.py": "",
    "app/user/services/user.py": """\
        from app.user import errors
        from app.user.errors import UserNotFound as Missing
        from app.user.exceptions import UserDomainError


        async def get_user(user_id: int) -> int:
            if user_id < 0:
                raise Missing()
            if user_id == 0:
                raise errors.UserNotFound
            raise UserDomainError()
        """,
    "app/user/crud/__init__.py": "",
    "app/user/crud/user.py": """\
        from app.user.errors import UserNotFound


        async def load(session, user_id: int) -> None:
            raise UserNotFound()
        """,
    "app/user/models.py": """\
        from pydantic import BaseModel


        class UserPublic(BaseModel):
            name: str
        """,
    "app/user/schemas.py": """\
        from pydantic import BaseModel


        class UserLogin(BaseModel):
            email: str


        class UserFilter(BaseModel):
            query: str


        class UserLoginAdmin(UserLogin):
            role: str
        """,
    "app/order/__init__.py": "",
    "app/order/models.py": """\
        from app.core.database import Base


        class Order(Base):
            __tablename__ = "orders"
        """,
    "app/order/routes.py": """\
        from typing import Annotated

        from fastapi import APIRouter, Query

        from app.order.models import Order
        from app.user.models import UserPublic
        from app.user.schemas import UserFilter, UserLogin

        router = APIRouter()


        @router.post("/orders")
        async def create(payload: UserLogin, filters: Annotated[UserFilter, Query()]) -> UserPublic:
            return UserPublic(name=payload.email)
        """,
}
EXPECTED = {
    ("app/core/exceptions.py", 4, "DDD009"),
    ("app/user/exceptions.py", 4, "DDD009"),
    ("app/user/errors.py", 4, "DDD009"),
    ("app/user/services/user.py", 8, "DDD002"),
    ("app/user/services/user.py", 10, "DDD002"),
    ("app/user/crud/user.py", 5, "DDD003"),
    ("app/user/schemas.py", 5, "DDD402"),  # a request body in another feature's routes
    ("app/user/schemas.py", 13, "DDD402"),  # a subclass of that input schema
    ("app/order/routes.py", 5, "DDD105"),  # a real ORM class; a Pydantic-only models.py is not
}


def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", TREE, setup_cfg=CONFIG)


def found(process) -> set:
    assert process.returncode in (0, 1), process.stderr
    return {(path.replace(os.sep, "/").lstrip("./"), line, code) for path, line, code in codes(process)}


def flake8(root: Path, jobs: str = "2") -> set:
    return found(run_flake8(["--jobs", jobs, "app"], root))


def check(root: Path, *args: str) -> set:
    return found(run_check(["--output-format", "concise", *args, "app"], root))


def test_the_same_cross_file_findings_from_flake8_and_check_cold_and_warm(tmp_path):
    root = project(tmp_path)
    assert flake8(root) == EXPECTED  # cold: no index stored yet
    assert (root / ".flake8_ddd_cache").is_dir()
    assert flake8(root) == EXPECTED  # warm
    assert flake8(root, jobs="1") == EXPECTED
    assert check(root) == EXPECTED  # the index is warm, the result cache cold
    assert check(root) == EXPECTED  # both warm
    shutil.rmtree(root / ".flake8_ddd_cache")
    assert check(root, "--jobs", "2") == EXPECTED  # both cold
    assert check(root, "--no-cache") == EXPECTED


def test_editing_the_exception_base_in_one_file_changes_cached_findings_in_others(tmp_path):
    root = project(tmp_path)
    assert check(root) == EXPECTED
    core = root / "app" / "core" / "exceptions.py"
    core.write_text(core.read_text().replace("AppHTTPError(HTTPException)", "AppHTTPError(Exception)"))
    os.utime(core, ns=(1, 1))
    unaffected = {f for f in EXPECTED if f[2] in ("DDD402", "DDD105")}
    assert check(root) == unaffected  # services/ and crud/ did not change, their findings did
    assert flake8(root) == unaffected
    core.write_text(core.read_text().replace("AppHTTPError(Exception)", "AppHTTPError(HTTPException)"))
    assert check(root) == EXPECTED
    assert flake8(root) == EXPECTED


def test_a_file_on_stdin_counts_as_it_is_and_sees_the_project(tmp_path):
    root = project(tmp_path)
    source = "from app.user.errors import UserNotFound\n\n\ndef f():\n    raise UserNotFound()\n"
    process = run_flake8(["--select=DDD", "--stdin-display-name", "app/user/services/other.py", "-"],
                         root, stdin=source)
    assert found(process) == {("app/user/services/other.py", 5, "DDD002")}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    process = run_flake8(["--select=DDD", "-"], outside, stdin=source)
    assert process.returncode == 0, process.stdout + process.stderr
