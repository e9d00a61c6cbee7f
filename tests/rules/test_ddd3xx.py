"""Services (DDD301, DDD302): transport imports, database access, the session names they see."""

from __future__ import annotations

from harness import codes, config, findings, lint, lint_messages, src

SERVICES = "app/ledger/services/ledger.py"
CRUD = "app/ledger/crud/entry.py"
ROUTES = "app/ledger/routes/entries.py"
NO_LAYER = "app/main.py"
USER_SERVICES = "app/users/services/users.py"


# -- DDD301 ---------------------------------------------------------------------------------

def test_transport_import_reported_once_per_statement():
    source = src("""
        import fastapi, starlette, fastapi.routing
        from fastapi import Request, Response, status
    """)
    assert [(f.line, f.col, f.message) for f in findings(source, SERVICES) if f.code == "DDD301"] == [
        (1, 0, "DDD301 services import fastapi: keep services transport-agnostic, pass plain "
               "data in and raise domain exceptions"),
        (2, 0, "DDD301 services import fastapi: keep services transport-agnostic, pass plain "
               "data in and raise domain exceptions"),
    ]


def test_transport_import_not_in_other_layers():
    source = "from fastapi import Request\nimport starlette.status\n"
    for path in (ROUTES, CRUD, NO_LAYER, "app/ledger/dependencies.py"):
        assert codes(lint(source, path)) == set(), path


# -- DDD302 and the global ddd-session-names option -----------------------------------------

def test_database_access_in_services_message():
    text = src("""
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(db, session: AsyncSession):
            return await db.execute(select(User))
    """)
    assert lint_messages(text, USER_SERVICES) == [
        "5:18: DDD302 database access db.execute() in the services layer: "
        "go through the feature's crud layer"]


def test_session_names_option_services_and_sync_defs():
    text = src("""
        def load(uow):
            uow.add(1)
            uow.commit()
    """)
    assert lint(text, USER_SERVICES) == set()
    cfg = config(ddd_session_names="uow")
    assert lint(text, USER_SERVICES, cfg) == {(1, "DDD502"), (2, "DDD302")}


def test_session_names_glob():
    text = src("""
        async def load(read_conn):
            await read_conn.scalars(query)
    """)
    assert lint(text, USER_SERVICES) == set()
    assert lint(text, USER_SERVICES, config(ddd_session_names="*_conn")) == {(2, "DDD302")}


def test_thread_helper_import_names_the_neutral_helper():
    text = "from starlette.concurrency import run_in_threadpool\n"
    assert lint_messages(text, "app/billing/services/report.py") == [
        "1:1: DDD301 services import starlette.concurrency: use anyio.to_thread.run_sync "
        "(run_in_threadpool is Starlette's wrapper of it)"]
