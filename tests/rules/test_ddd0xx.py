"""Transactions and errors (DDD001-DDD008): option-dependent cases, messages and columns, layer
mapping, and cases the fixtures cannot hold."""

from __future__ import annotations

import os
import sys

import pytest

from flake8_ddd.options import ConfigError
from harness import codes, config, findings, lint, lint_messages, make_project, run_flake8, src

SERVICES = "app/ledger/services/ledger.py"
CRUD = "app/ledger/crud/entry.py"
ROUTES = "app/ledger/routes/entries.py"
NO_LAYER = "app/main.py"
#: What an error-handling test looks at: the codes of this file, DDD301 (HTTP types in services)
#: and DDD504 (blocking HTTP calls).
ERRORS = ("DDD0", "DDD301", "DDD504")


# -- DDD007: ddd-builtin-exceptions ------------------------------------------------------------

RAISES = src("""
    def f(x):
        raise ValueError(x)
        raise KeyError(x)
        raise TypeError(x)
        raise NotImplementedError
        raise OSError(x)
""")


def test_builtin_exceptions_default():
    assert codes(lint(RAISES, SERVICES), "DDD007") == {(2, "DDD007"), (3, "DDD007")}


def test_builtin_exceptions_option_replaces_the_default():
    cfg = config(ddd_builtin_exceptions="KeyError, OSError")
    assert codes(lint(RAISES, SERVICES, cfg), "DDD007") == {(3, "DDD007"), (6, "DDD007")}


def test_builtin_exceptions_option_can_name_type_error():
    cfg = config(ddd_builtin_exceptions=["TypeError", "NotImplementedError"])
    assert codes(lint(RAISES, CRUD, cfg), "DDD007") == {(4, "DDD007"), (5, "DDD007")}


def test_builtin_exceptions_option_empty_list_switches_the_check_off():
    cfg = config(ddd_builtin_exceptions=[])
    assert codes(lint(RAISES, SERVICES, cfg), "DDD007") == set()


@pytest.mark.parametrize("value", ["Value Error", "1Error", "NotABuiltin", "str", "builtins.ValueError",
                                   "ValueError, dict"])
def test_builtin_exceptions_bad_value(value):
    with pytest.raises(ConfigError, match="ddd-builtin-exceptions"):
        config(ddd_builtin_exceptions=value)


def test_builtin_exceptions_accepts_newer_builtins_on_older_pythons():
    cfg = config(ddd_builtin_exceptions="ExceptionGroup, BaseExceptionGroup")
    assert codes(lint(RAISES, SERVICES, cfg), "DDD007") == set()   # the list replaces the default
    if sys.version_info >= (3, 11):
        assert codes(lint("raise ExceptionGroup('x', [])\n", SERVICES, cfg), "DDD007") == {(1, "DDD007")}


def test_builtin_exceptions_message_names_the_layer():
    assert lint_messages(RAISES, CRUD)[0] == (
        "2:5: DDD007 raise ValueError in the crud layer: raise a custom domain exception "
        "from ledger/exceptions.py")
    assert lint_messages(RAISES, "app/core/crud.py")[0] == (
        "2:5: DDD007 raise ValueError in the crud layer: raise a custom domain exception "
        "from core/exceptions.py")


def test_builtin_shadowed_by_module_level_names():
    source = src("""
        from app.ledger.exceptions import LedgerError

        KeyError, (LookupError, *rest) = LedgerError, (LedgerError, 1)
        RuntimeError: type = LedgerError

        def PermissionError():
            return LedgerError()

        def f():
            raise KeyError
            raise LookupError
            raise RuntimeError
            raise PermissionError()
            raise ValueError
    """)
    assert codes(lint(source, SERVICES), "DDD007") == {(14, "DDD007")}


def test_builtin_shadowed_inside_a_module_level_if():
    source = src("""
        try:
            from app.compat import ValueError
        except ImportError:
            class ValueError(Exception):
                pass

        def f():
            raise ValueError
    """)
    assert codes(lint(source, SERVICES), "DDD007") == set()


def test_builtin_exceptions_option_through_flake8(tmp_path):
    make_project(tmp_path, {SERVICES: RAISES}, setup_cfg="[flake8]\nselect = DDD\n"
                 "ddd-builtin-exceptions =\n    OSError\n    TypeError\n")
    result = run_flake8(["."], tmp_path)
    assert result.returncode == 1, result.stderr
    path = os.path.normpath(SERVICES)
    assert codes(result) == {(path, 4, "DDD007"), (path, 6, "DDD007")}


def test_builtin_exceptions_bad_value_through_flake8(tmp_path):
    make_project(tmp_path, {SERVICES: RAISES}, setup_cfg="[flake8]\nselect = DDD\n")
    result = run_flake8(["--ddd-builtin-exceptions=ValueError,Valu3Erorr", "."], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ddd-builtin-exceptions" in lines[0] and "Valu3Erorr" in lines[0]
    assert "Traceback" not in result.stderr


# -- DDD005 and the global ddd-session-names option -------------------------------------------

TRANSACTIONS = src("""
    def helper(conn, db):
        conn.commit()
        db.rollback()
""")


def test_session_names_default():
    assert codes(lint(TRANSACTIONS, ROUTES), "DDD005") == {(3, "DDD005")}


def test_session_names_option():
    cfg = config(ddd_session_names="conn")
    assert codes(lint(TRANSACTIONS, ROUTES, cfg), "DDD005") == {(2, "DDD005")}


def test_transaction_in_routes_layer_outside_a_handler():
    # Not in a fixture: tests/test_properties.py expects codes of rules with layers=None to be
    # layer-free, and DDD005 also depends on the routes layer.
    source = src("""
        def commit_helper(uow_session, request) -> None:
            uow_session.commit()
            request.state.db.rollback()
            uow_session.flush()
    """)
    assert codes(lint(source, ROUTES), *ERRORS) == {(2, "DDD005"), (3, "DDD005")}
    assert codes(lint(source, NO_LAYER), *ERRORS) == set()
    assert codes(lint(source, "app/ledger/services/x.py"), "DDD005") == set()


def test_transaction_in_route_message():
    assert lint_messages(TRANSACTIONS, ROUTES) == [
        "3:5: DDD005 db.rollback() in a route: the service owns the transaction, roll back there"]


def test_transaction_in_route_handler_of_unlayered_file_only():
    source = src("""
        from fastapi import FastAPI

        app = FastAPI()

        @app.websocket("/ws")
        async def ws(session) -> None:
            await session.commit()

        async def not_a_route(session) -> None:
            await session.commit()
    """)
    assert codes(lint(source, NO_LAYER), *ERRORS) == {(7, "DDD005")}


# -- DDD002 / DDD003: one finding per use, at the right column --------------------------------

def test_http_exception_reported_once_at_the_call():
    source = src("""
        from fastapi import HTTPException

        def f():
            raise HTTPException(404)
            raise HTTPException
    """)
    found = findings(source, SERVICES)
    assert [(f.line, f.col, f.code) for f in found if f.code == "DDD002"] == [
        (4, 10, "DDD002"), (5, 4, "DDD002")]


def test_http_exception_layer_pinned_by_comment():
    source = src("""
        # ddd: layer=crud
        import fastapi

        def f():
            raise fastapi.HTTPException(404)
    """)
    assert codes(lint(source, "app/ledger/helpers.py"), *ERRORS) == {(5, "DDD003")}


def test_http_exception_in_two_layer_module():
    source = src("""
        from starlette.exceptions import HTTPException

        def f():
            raise HTTPException(404)
    """)
    cfg = config(ddd_layer_paths="app/*/logic.py=services+crud")
    assert codes(lint(source, "app/ledger/logic.py", cfg), *ERRORS) == {
        (1, "DDD301"), (4, "DDD002"), (4, "DDD003")}


def test_http_exception_not_in_other_layers():
    source = src("""
        from fastapi import HTTPException

        def f():
            raise HTTPException(404)
    """)
    for path in (ROUTES, NO_LAYER, "app/ledger/dependencies.py", "app/ledger/tasks.py"):
        assert codes(lint(source, path), *ERRORS) == set(), path


# -- DDD006 ---------------------------------------------------------------------------------

def test_status_500_unpacked_arguments_are_not_guessed():
    source = src("""
        from fastapi import HTTPException

        ARGS = (500,)
        KWARGS = {"status_code": 500}
        HTTPException(*ARGS)
        HTTPException(**KWARGS)
        HTTPException(*ARGS, status_code=500)
    """)
    assert codes(lint(source, NO_LAYER), *ERRORS) == {(7, "DDD006")}


def test_status_500_in_a_test_file_is_not_checked():
    source = "from fastapi import HTTPException\nHTTPException(500)\n"
    assert lint(source, "app/ledger/tests/test_errors.py") == set()


# -- DDD008 ---------------------------------------------------------------------------------

EXCEPTION_CLASS = src("""
    class EntryMissing(LookupError):
        pass
""")


FEATURE_REMEDY = "define domain exceptions in the feature's exceptions.py (ledger/exceptions.py)"
CORE_REMEDY = "define application-wide exceptions in core/exceptions.py"


@pytest.mark.parametrize("path, layer, remedy", [
    (CRUD, "crud", FEATURE_REMEDY), ("app/core/crud.py", "crud", CORE_REMEDY),
    ("app/ledger/schemas/errors_in_schemas.py", "schemas", FEATURE_REMEDY),
    ("app/ledger/dependencies.py", "dependencies", FEATURE_REMEDY), ("app/apis/v1.py", "apis", CORE_REMEDY),
    (ROUTES, "routes", FEATURE_REMEDY), ("app/core/middleware.py", "core", CORE_REMEDY),
])
def test_exception_class_outside_exceptions_module(path, layer, remedy):
    messages = [m for m in lint_messages(EXCEPTION_CLASS, path) if "DDD008" in m]
    assert messages == [f"1:1: DDD008 exception class EntryMissing defined in a {layer} module: {remedy}"]


@pytest.mark.parametrize("path", [
    "app/ledger/exceptions.py", "app/ledger/errors.py", "app/core/exceptions.py",
    "app/ledger/exceptions/entry.py", "app/ledger/services/errors.py", NO_LAYER, "scripts/load.py",
    "app/ledger/services/ledger_exceptions.py",
])
def test_exception_class_in_exceptions_module_or_unlayered_file(path):
    assert codes(lint(EXCEPTION_CLASS, path), "DDD008") == set()


def test_exception_class_with_remapped_exceptions_segment():
    cfg = config(ddd_layer_segments="failures=exceptions")
    assert codes(lint(EXCEPTION_CLASS, "app/ledger/failures.py", cfg), "DDD008") == set()
    assert codes(lint(EXCEPTION_CLASS, "app/ledger/services/x.py", cfg), "DDD008") == {(1, "DDD008")}


def test_exception_class_in_glob_mapped_exceptions_module():
    cfg = config(ddd_layer_paths="app/*/domain.py=exceptions+models")
    assert codes(lint(EXCEPTION_CLASS, "app/ledger/domain.py", cfg), "DDD008") == set()


def test_exception_class_base_from_relative_exceptions_import():
    source = src("""
        from ..exceptions import NotFound
        from ..errors import Denied
        from ..models import Entry

        class A(NotFound):
            pass

        class B(Denied):
            pass

        class C(Entry):
            pass
    """)
    assert codes(lint(source, SERVICES), "DDD008") == {(5, "DDD008"), (8, "DDD008")}
