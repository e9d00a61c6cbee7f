"""Async (DDD501-DDD504): sync database functions, unawaited session calls, blocking HTTP calls
in every layer."""

from __future__ import annotations

import pytest

from harness import codes, config, lint, lint_messages, src

SERVICES = "app/ledger/services/ledger.py"
CRUD = "app/ledger/crud/entry.py"
ROUTES = "app/ledger/routes/entries.py"
NO_LAYER = "app/main.py"
JOBS = "app/users/jobs.py"


# -- DDD502 / DDD503 ------------------------------------------------------------------------

def test_sync_database_function_message_names_the_first_call():
    text = "def load(db):\n    db.query(User)\n    db.commit()\n"
    assert lint_messages(text, "app/users/crud/users.py") == [
        "1:1: DDD502 def load() calls db.query() on a synchronous session: make it async def on an "
        "AsyncSession and await the call",
        "3:5: DDD001 db.commit() in the CRUD layer: flush here and let the service commit",
    ]


def test_sync_database_function_message_prefers_an_awaitable_call():
    text = "def save(db, user):\n    db.add(user)\n    db.flush()\n"
    assert [m for m in lint_messages(text, "app/users/services/users.py") if "DDD502" in m] == [
        "1:1: DDD502 def save() calls db.flush() on a synchronous session: make it async def on an "
        "AsyncSession and await the call"]


def test_sync_database_function_message_for_add_only_says_add_is_not_awaited():
    text = "def stage(db, user):\n    db.add(user)\n    db.add_all([user])\n"
    assert [m for m in lint_messages(text, "app/users/crud/users.py") if "DDD502" in m] == [
        "1:1: DDD502 def stage() calls db.add() on a synchronous session: use an AsyncSession in an "
        "async def (add() itself stays un-awaited; await its queries, flush and commit)"]


def test_unawaited_session_call_message():
    text = src("""
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(db, session: AsyncSession):
            return session.execute(select(User)).scalars()
    """)
    assert lint_messages(text, JOBS, config(selected=("DDD5",))) == [
        "5:12: DDD503 session.execute() on an AsyncSession is never awaited: add await "
        "(before using its result)"]


def test_unawaited_call_in_class_body_method_with_annotated_alias():
    text = src("""
        from typing import Annotated, Optional
        from sqlalchemy.ext.asyncio import AsyncSession as AS
        Db = Annotated[Optional[AS], "dep"]

        class Repo:
            async def save(self, session: "Db") -> None:
                session.flush()
                self.session.flush()
    """)
    assert lint(text, JOBS, config(selected=("DDD5",))) == {(7, "DDD503")}


def test_reassigned_name_awaited_later_is_handled():
    text = src("""
        from sqlalchemy.ext.asyncio import AsyncSession

        async def load(session: AsyncSession, queries):
            results = []
            for query in queries:
                pending = session.execute(query)
                results.append(pending)
            final = session.scalar(queries[0])
            return results, await final
    """)
    assert lint(text, JOBS, config(selected=("DDD5",))) == set()


# -- DDD504 ---------------------------------------------------------------------------------

BLOCKING = src("""
    import requests

    def f(url):
        return requests.get(url)
""")


@pytest.mark.parametrize("path", [
    SERVICES, CRUD, ROUTES, "app/ledger/schemas/entry.py", "app/ledger/models/entry.py",
    "app/ledger/dependencies.py", "app/ledger/exceptions.py", "app/ledger/tasks.py",
    "app/core/http.py", "app/apis/v1.py",
])
def test_blocking_http_call_in_every_layer(path):
    assert codes(lint(BLOCKING, path), "DDD504") == {(4, "DDD504")}


@pytest.mark.parametrize("path", [NO_LAYER, "scripts/sync.py", "migrations/versions/0001.py",
                                  "app/ledger/tests/test_sync.py"])
def test_blocking_http_call_outside_layers(path):
    assert codes(lint(BLOCKING, path), "DDD504") == set()


def test_blocking_http_call_in_excluded_path():
    cfg = config(ddd_layer_exclude="app/legacy/*")
    assert codes(lint(BLOCKING, "app/legacy/services/sync.py", cfg), "DDD504") == set()


def test_blocking_http_call_message():
    assert lint_messages(BLOCKING, SERVICES) == [
        "4:12: DDD504 blocking HTTP call requests.get(): use an async client (httpx.AsyncClient) "
        "and await it"]


def test_blocking_http_call_shadowed_module_name():
    source = src("""
        import requests
        from app.ledger import clients as httpx

        def f(url):
            httpx.get(url)
    """)
    assert codes(lint(source, SERVICES), "DDD504") == set()
