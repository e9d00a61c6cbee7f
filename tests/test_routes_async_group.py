"""Database access, thin routes and async rules (DDD201-DDD205, DDD302, DDD501-DDD503):
option-dependent cases, messages, and syntax the fixtures cannot hold on every Python."""

from __future__ import annotations

import sys
import textwrap

import pytest

from harness import config, lint, lint_messages

ROUTES = "app/users/routes/users.py"
SERVICES = "app/users/services/users.py"
CRUD = "app/users/crud/users.py"

HANDLER_HEADER = """\
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

router = APIRouter()
"""


def source(body: str) -> str:
    return HANDLER_HEADER + textwrap.dedent(body)


def codes(found, *wanted):
    return {(line, code) for line, code in found if code in wanted}


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


# -- ddd-session-names (global) changes what DDD201, DDD302 and DDD502 see -------------------

def test_session_names_option_routes():
    text = source("""
        async def load(conn, db):
            await conn.execute(query)
            await db.execute(query)
    """)
    assert codes(lint(text, ROUTES), "DDD201") == {(9, "DDD201")}
    cfg = config(ddd_session_names="conn")
    assert codes(lint(text, ROUTES, cfg), "DDD201") == {(8, "DDD201")}


def test_session_names_option_services_and_sync_defs():
    text = textwrap.dedent("""\
        def load(uow):
            uow.add(1)
            uow.commit()
    """)
    assert lint(text, SERVICES) == set()
    cfg = config(ddd_session_names="uow")
    assert lint(text, SERVICES, cfg) == {(1, "DDD502"), (2, "DDD302")}


def test_session_names_glob():
    text = textwrap.dedent("""\
        async def load(read_conn):
            await read_conn.scalars(query)
    """)
    assert lint(text, SERVICES) == set()
    assert lint(text, SERVICES, config(ddd_session_names="*_conn")) == {(2, "DDD302")}


# -- reporting details -------------------------------------------------------------------------

def test_database_access_once_per_line():
    text = source("""
        async def load(db):
            db.add(x); await db.execute(select(User)); await db.flush()
    """)
    assert lint(text, ROUTES) == {(8, "DDD201")}


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


@pytest.mark.parametrize("path, line, message", [
    (ROUTES, "    return await db.get(User, 1)",
     "5:18: DDD201 database access db.get() in the routes layer: "
     "query in crud and call it through a service"),
    (SERVICES, "    return await db.execute(select(User))",
     "5:18: DDD302 database access db.execute() in the services layer: go through the feature's crud layer"),
    ("app/users/jobs.py", "    return session.execute(select(User)).scalars()",
     "5:12: DDD503 session.execute() on an AsyncSession is never awaited: add await"),
])
def test_messages(path, line, message):
    text = textwrap.dedent("""\
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(db, session: AsyncSession):
    """) + line + "\n"
    assert lint_messages(text, path) == [message]


def test_handler_messages_name_the_handler():
    text = source("""
        @router.get("/users", response_model=list)
        async def list_users(db=Depends(get_db)):
            for user in UserService(db).all():
                if user:
                    pass
    """)
    assert lint_messages(text, "app/users/main.py") == [
        "9:5: DDD202 loop in route handler list_users(): move the logic into a service",
        "9:17: DDD204 route handler list_users() constructs UserService: receive the service via Depends",
        "10:9: DDD203 conditional in route handler list_users(): move the decision into a service",
    ]


def test_sync_database_function_message_names_the_first_call():
    text = "def load(db):\n    db.query(User)\n    db.commit()\n"
    assert lint_messages(text, CRUD) == [
        "1:1: DDD502 def load() calls db.query(): make it async def and await the session",
        "3:5: DDD001 db.commit() in the CRUD layer: flush here and let the service commit",
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
    assert lint(text, "app/main.py") == {(11, "DDD203")}


def test_test_files_are_exempt():
    text = source("""
        @router.get("/users")
        def list_users(db):
            for user in db.query(User):
                UserService(db)
    """)
    assert lint(text, "app/users/routes/test_users.py") == set()
    assert lint(text, "app/users/tests/routes.py") == set()


def test_unawaited_call_in_class_body_method_with_annotated_alias():
    text = textwrap.dedent("""\
        from typing import Annotated, Optional
        from sqlalchemy.ext.asyncio import AsyncSession as AS
        Db = Annotated[Optional[AS], "dep"]

        class Repo:
            async def save(self, session: "Db") -> None:
                session.flush()
                self.session.flush()
    """)
    assert lint(text, "app/users/jobs.py") == {(7, "DDD503")}


def test_reassigned_name_awaited_later_is_handled():
    text = textwrap.dedent("""\
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(session: AsyncSession, queries):
            results = []
            for query in queries:
                pending = session.execute(query)
                results.append(pending)
            final = session.scalar(queries[0])
            return results, await final
    """)
    assert lint(text, "app/users/jobs.py") == set()
