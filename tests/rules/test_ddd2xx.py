"""Thin routes (DDD201-DDD205): option-dependent cases, messages and columns, and syntax the
fixtures cannot hold on every Python."""

from __future__ import annotations

import sys
import textwrap

import pytest

from harness import codes, config, lint, lint_messages, src

ROUTES = "app/users/routes/users.py"

HANDLER_HEADER = """\
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

router = APIRouter()
"""


def source(body: str) -> str:
    return HANDLER_HEADER + textwrap.dedent(body)


# -- DDD204: ddd-service-suffix ----------------------------------------------------------------

SERVICE_CONSTRUCTION = source("""
    @router.get("/users", response_model=list)
    async def list_users(db=Depends(get_db)):
        users = UserManager(db)
        return await UserService(db).list(users)
""")


def test_service_suffix_default():
    assert codes(lint(SERVICE_CONSTRUCTION, ROUTES), "DDD204") == {(10, "DDD204")}


def test_service_suffix_option_replaces_the_default():
    cfg = config(ddd_service_suffix="Manager")
    assert codes(lint(SERVICE_CONSTRUCTION, ROUTES, cfg), "DDD204") == {(9, "DDD204")}


def test_service_suffix_option_takes_a_list():
    cfg = config(ddd_service_suffix=["Manager", "Service"])
    assert codes(lint(SERVICE_CONSTRUCTION, ROUTES, cfg), "DDD204") == {(9, "DDD204"), (10, "DDD204")}


# -- DDD201 and the global ddd-session-names option ------------------------------------------

def test_session_names_option_routes():
    text = source("""
        async def load(conn, db):
            await conn.execute(query)
            await db.execute(query)
    """)
    assert codes(lint(text, ROUTES), "DDD201") == {(9, "DDD201")}
    cfg = config(ddd_session_names="conn")
    assert codes(lint(text, ROUTES, cfg), "DDD201") == {(8, "DDD201")}


def test_database_access_once_per_line():
    text = source("""
        async def load(db):
            db.add(x); await db.execute(select(User)); await db.flush()
    """)
    assert lint(text, ROUTES) == {(8, "DDD201")}


def test_database_access_in_routes_message():
    text = src("""
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(db, session: AsyncSession):
            return await db.get(User, 1)
    """)
    assert lint_messages(text, ROUTES) == [
        "5:18: DDD201 database access db.get() in the routes layer: "
        "query in crud and call it through a service"]


# -- reporting details -------------------------------------------------------------------------

def test_route_rules_report_at_the_def_line_and_column():
    text = source("""
        class Views:
            @router.get(
                "/users",
            )
            def list_users(self):
                return []
    """)
    messages = lint_messages(text, ROUTES)
    assert messages == [
        "11:5: DDD205 route handler list_users() has no response typing: "
        "add response_model= or a return annotation",
        "11:5: DDD501 route handler list_users() is defined with def: use async def and await its I/O",
    ]


def test_handler_messages_name_the_handler():
    text = source("""
        @router.get("/users", response_model=list)
        async def list_users(db=Depends(get_db)):
            for user in UserService(db).all():
                if user:
                    pass
    """)
    assert lint_messages(text, "app/users/main.py", config(selected=("DDD2",))) == [
        "9:5: DDD202 loop in route handler list_users(): move the logic into a service",
        "9:17: DDD204 route handler list_users() constructs UserService: receive the service via Depends",
        "10:9: DDD203 conditional in route handler list_users(): move the decision into a service",
    ]


# -- syntax and scopes ---------------------------------------------------------------------------

@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements need Python 3.10")
def test_match_statement_in_route_handler():
    text = source("""
        @router.get("/users/{kind}", response_model=list)
        async def by_kind(kind: str):
            match kind:
                case "admin":
                    return []
                case _:
                    return [kind]


        def outside(kind):
            match kind:
                case _:
                    return kind
    """)
    assert lint(text, ROUTES) == {(9, "DDD203")}


def test_decorator_without_call_is_not_a_route():
    text = source("""
        @router.get
        def not_a_route():
            for x in range(3):
                pass
    """)
    assert lint(text, ROUTES) == set()


def test_nested_route_handler_is_checked_on_its_own():
    text = source("""
        def register(app):
            for prefix in ("/a", "/b"):
                @app.get(prefix, response_model=list)
                async def handler():
                    if prefix:
                        return []
    """)
    assert lint(text, "app/main.py", config(selected=("DDD2",))) == {(11, "DDD203")}


def test_test_files_are_exempt():
    text = source("""
        @router.get("/users")
        def list_users(db):
            for user in db.query(User):
                UserService(db)
    """)
    assert lint(text, "app/users/routes/test_users.py") == set()
    assert lint(text, "app/users/tests/routes.py") == set()
