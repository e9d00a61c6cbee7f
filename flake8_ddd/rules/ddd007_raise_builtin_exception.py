from __future__ import annotations

import ast

from flake8_ddd.context import FileContext
from flake8_ddd.layers import Layer
from flake8_ddd.option import Option
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._exceptions import BUILTIN_EXCEPTION_NAMES, builtin_exception_name

#: Built-in exceptions of Python versions newer than the one running (valid option items).
_NEWER_BUILTIN_EXCEPTIONS = frozenset({"BaseExceptionGroup", "ExceptionGroup", "EncodingWarning",
                                       "PythonFinalizationError"})


def _check_builtin_exception(item: str) -> None:
    if item not in BUILTIN_EXCEPTION_NAMES and item not in _NEWER_BUILTIN_EXCEPTIONS:
        raise ValueError(item)


BUILTIN_EXCEPTIONS = Option(
    "ddd-builtin-exceptions",
    ("Exception", "ValueError", "RuntimeError", "KeyError", "LookupError", "PermissionError"),
    "Built-in exceptions that services and CRUD must not raise for expected violations.",
    form="a comma-separated list of built-in exception names (e.g. ValueError, KeyError)",
    check_item=_check_builtin_exception)


class RaiseBuiltinException(Rule):
    """Built-in exception raised for an expected violation in services or CRUD

    ## What it does
    Reports a `raise` of one of the configured built-in exceptions — by default
    `Exception`, `ValueError`, `RuntimeError`, `KeyError`, `LookupError` and
    `PermissionError` — in a module of the services or crud layer, whether the class is
    raised bare (`raise ValueError`), instantiated (`raise ValueError("...")`), chained
    (`raise ValueError(...) from error`) or spelled `builtins.ValueError`.

    Not findings: a bare `raise` (re-raising), `NotImplementedError` and `TypeError`
    (programming errors, not in the default list), other built-ins not configured, a
    built-in merely constructed or caught, and a name that is shadowed — imported under the
    built-in's name (`from app.errors import NotFound as LookupError`) or defined at module
    level (`class PermissionError(DomainError)`, `ValueError = InvalidInput`). Known
    limitation: a class of the same name defined only inside a function or class body is
    not recognised as shadowing.

    ## Why is this bad?
    The guide: "Expected violations (e.g. data missing, insufficient permissions, limits
    exceeded) should be raised via custom Domain Exceptions defined within exceptions.py",
    and "Deep layers (Service/CRUD) MUST exclusively raise custom Python Exceptions
    representing domain errors". A `ValueError` cannot be told apart from a bug in the
    caller's code, so the route cannot translate it to the right HTTP status.

    ## Example
    ```python
    async def withdraw(self, account: Account, amount: Decimal) -> Account:
        if amount > account.balance:
            raise ValueError("Insufficient funds")
        ...
    ```

    ## Use instead
    ```python
    from app.accounts.exceptions import InsufficientFunds


    async def withdraw(self, account: Account, amount: Decimal) -> Account:
        if amount > account.balance:
            raise InsufficientFunds(account.id, amount)
        ...
    ```

    ## Options
    - `ddd-builtin-exceptions`: the built-in exception names reported (replaces the
      default list; each item must be a built-in exception class).

    ## When not to use it
    A `ValueError` that guards an internal invariant (a programming error such as "fields
    must be a dict", not a violation a user can cause) is reported too: raise `TypeError`
    or `AssertionError` there, narrow the list with `ddd-builtin-exceptions`, or silence
    the line with `# noqa: DDD007`.
    """

    code = "DDD007"
    message = "raise {name} in the {layer} layer: raise a custom domain exception from {module}"
    scope = Scope.LAYERS
    layers = frozenset({Layer.SERVICES, Layer.CRUD})
    since = "0.1.0"
    options = (BUILTIN_EXCEPTIONS,)

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.names = frozenset(ctx.config.get(BUILTIN_EXCEPTIONS))

    @on(ast.Raise)
    def check_raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if exc is None:
            return
        target = exc.func if isinstance(exc, ast.Call) else exc
        name = builtin_exception_name(self.ctx, target)
        if name is not None and name in self.names:
            layer = Layer.SERVICES if Layer.SERVICES in self.ctx.layers else Layer.CRUD
            location = self.ctx.location
            module = (f"{location.feature}/exceptions.py" if location.feature and not location.in_core
                      else "core/exceptions.py")
            self.report(node, name=name, layer=layer.value, module=module)
