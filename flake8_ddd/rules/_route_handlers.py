"""Shapes of route-handler code that the thin-route rules let pass (DDD203, DDD205).

- A *bodiless status code* is one whose response has no body (RFC 9110): 204 No Content,
  205 Reset Content, 304 Not Modified, written as an int, as FastAPI's or Starlette's
  ``status.HTTP_204_NO_CONTENT`` & co., as ``HTTPStatus.NO_CONTENT`` (with or without
  ``.value``) or as ``HTTPStatus(204)``. A handler with such a status has nothing to type.
- A *missing-result guard* is ``if x is None:`` or ``if not x:`` on one plain name, with no
  ``elif``/``else``, whose body is one ``raise`` of FastAPI's or Starlette's ``HTTPException``:
  the mapping of a missing result to an HTTP error, which the guide gives to the route ("maps
  Service exceptions, and returns HTTP responses").
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, FrozenSet, Optional

from flake8_ddd.rules._http import HTTP_STATUS_CLASS, is_http_exception

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

BODILESS_CODES: FrozenSet[int] = frozenset({204, 205, 304})
#: The ``required_words`` of the rules that look only inside route handlers: a route handler
#: has a decorator (``@router.get(...)``), so a file without an "@" has none.
ROUTE_HANDLER_WORDS = ("@",)
_STATUS_NAMES = ("HTTP_204_NO_CONTENT", "HTTP_205_RESET_CONTENT", "HTTP_304_NOT_MODIFIED")
_HTTP_STATUS_MEMBERS = ("NO_CONTENT", "RESET_CONTENT", "NOT_MODIFIED")
BODILESS_STATUS_NAMES: FrozenSet[str] = frozenset(
    {f"{module}.status.{name}" for module in ("fastapi", "starlette") for name in _STATUS_NAMES}
    | {f"{HTTP_STATUS_CLASS}.{member}" for member in _HTTP_STATUS_MEMBERS}
    | {"http.client.NO_CONTENT", "http.client.RESET_CONTENT", "http.client.NOT_MODIFIED"})


def is_bodiless_status(ctx: FileContext, expr: Optional[ast.AST]) -> bool:
    """Whether ``expr`` is the status code 204, 205 or 304 in one of its spellings."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return type(expr.value) is int and expr.value in BODILESS_CODES
    if isinstance(expr, ast.Call):
        return (ctx.qualified_name(expr.func) == HTTP_STATUS_CLASS and len(expr.args) == 1
                and not expr.keywords and is_bodiless_status(ctx, expr.args[0]))
    if isinstance(expr, ast.Attribute) and expr.attr == "value":
        if ctx.qualified_name(expr.value) in BODILESS_STATUS_NAMES:
            return True
    return ctx.qualified_name(expr) in BODILESS_STATUS_NAMES


def decorator_status(decorator: ast.Call) -> Optional[ast.AST]:
    """The ``status_code=`` keyword of a route decorator, if given."""
    for keyword in decorator.keywords:
        if keyword.arg == "status_code":
            return keyword.value
    return None


def _tests_missing_name(test: ast.AST) -> bool:
    """``x is None`` or ``not x`` on one plain name."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return isinstance(test.operand, ast.Name)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        right = test.comparators[0]
        return (isinstance(test.left, ast.Name) and isinstance(right, ast.Constant)
                and right.value is None)
    return False


def is_missing_result_guard(ctx: FileContext, node: ast.AST) -> bool:
    """``if x is None: raise HTTPException(...)`` (or ``if not x:``), nothing else in the
    statement: no ``elif``/``else``, one ``raise`` of FastAPI's or Starlette's exception."""
    if not isinstance(node, ast.If) or node.orelse or len(node.body) != 1:
        return False
    if not _tests_missing_name(node.test):
        return False
    raised = node.body[0]
    if not isinstance(raised, ast.Raise) or raised.exc is None:
        return False
    exc = raised.exc.func if isinstance(raised.exc, ast.Call) else raised.exc
    return is_http_exception(ctx, exc)
