"""HTTP: FastAPI/Starlette ``HTTPException`` and status codes, the transport packages, blocking
HTTP clients.

Every predicate resolves names through ``ctx.qualified_name``, so import aliases
(``from fastapi import HTTPException as E``), module imports (``import fastapi``) and
submodules (``fastapi.exceptions.HTTPException``) are recognised, while a local look-alike
(a class named ``HTTPException`` defined in the module, ``client.get`` on an unknown object)
resolves to nothing and is never reported.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, FrozenSet, Optional

from flake8_ddd.library_classes import HTTP_EXCEPTIONS

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

#: Top-level packages of the HTTP transport layer (DDD301).
TRANSPORT_PACKAGES: FrozenSet[str] = frozenset({"fastapi", "starlette"})

#: Names that are the status code 500.
STATUS_500_CONSTANTS: FrozenSet[str] = frozenset({
    "fastapi.status.HTTP_500_INTERNAL_SERVER_ERROR",
    "starlette.status.HTTP_500_INTERNAL_SERVER_ERROR",
    "http.HTTPStatus.INTERNAL_SERVER_ERROR",
    "http.client.INTERNAL_SERVER_ERROR",
})
HTTP_STATUS_CLASS = "http.HTTPStatus"

#: Blocking HTTP entry points (DDD504), as qualified names.
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
BLOCKING_HTTP_CALLS: FrozenSet[str] = frozenset(
    {f"requests.{verb}" for verb in _HTTP_VERBS}
    | {f"requests.api.{verb}" for verb in _HTTP_VERBS}
    | {"requests.Session", "requests.session",
       "requests.sessions.Session", "requests.sessions.session"}
    | {"urllib.request.urlopen"}
    | {f"httpx.{verb}" for verb in _HTTP_VERBS + ("stream",)}
    | {"httpx.Client"}
)


def is_http_exception(ctx: FileContext, expr: ast.AST) -> bool:
    """Whether ``expr`` names FastAPI's or Starlette's ``HTTPException`` (any import form)."""
    return ctx.qualified_name(expr) in HTTP_EXCEPTIONS


def http_exception_call(ctx: FileContext, node: ast.AST) -> bool:
    """Whether ``node`` is a call constructing an ``HTTPException``."""
    return isinstance(node, ast.Call) and is_http_exception(ctx, node.func)


def status_argument(call: ast.Call) -> Optional[ast.AST]:
    """The status code given to ``HTTPException(...)``: first positional or ``status_code=``."""
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg == "status_code":
            return keyword.value
    return None


def is_status_500(ctx: FileContext, expr: Optional[ast.AST]) -> bool:
    """``500``, ``status.HTTP_500_INTERNAL_SERVER_ERROR`` (fastapi/starlette),
    ``HTTPStatus.INTERNAL_SERVER_ERROR`` (with or without ``.value``) or ``HTTPStatus(500)``."""
    if expr is None:
        return False
    if isinstance(expr, ast.Constant):
        return type(expr.value) is int and expr.value == 500
    if isinstance(expr, ast.Call):
        return (ctx.qualified_name(expr.func) == HTTP_STATUS_CLASS and len(expr.args) == 1
                and not expr.keywords and is_status_500(ctx, expr.args[0]))
    if isinstance(expr, ast.Attribute) and expr.attr == "value":
        if ctx.qualified_name(expr.value) == HTTP_STATUS_CLASS + ".INTERNAL_SERVER_ERROR":
            return True
    return ctx.qualified_name(expr) in STATUS_500_CONSTANTS


def transport_module(dotted: Optional[str]) -> Optional[str]:
    """``dotted`` when it is ``fastapi``/``starlette`` or one of their submodules, else None."""
    if dotted and dotted.split(".")[0] in TRANSPORT_PACKAGES:
        return dotted
    return None


def blocking_http_call(ctx: FileContext, call: ast.Call) -> Optional[str]:
    """The qualified name of a blocking HTTP call (``requests.get``, ``httpx.Client``...)."""
    name = ctx.qualified_name(call.func)
    return name if name in BLOCKING_HTTP_CALLS else None


def http_exception_use(ctx: FileContext, node: ast.AST) -> bool:
    """A call constructing ``HTTPException`` (raised or not), or ``raise HTTPException``.

    ``raise HTTPException(...)`` is one use: the call; the raise statement only counts when
    it raises the bare class.
    """
    if isinstance(node, ast.Call):
        return is_http_exception(ctx, node.func)
    if isinstance(node, ast.Raise) and node.exc is not None and not isinstance(node.exc, ast.Call):
        return is_http_exception(ctx, node.exc)
    return False
