from __future__ import annotations

import ast

from flake8_ddd.ast_names import last_name
from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._exceptions import BUILTIN_WARNING_NAMES, builtin_exception_name

EXCEPTION_SUFFIXES = ("Error", "Exception")
#: Stems of modules that hold exceptions whatever their directory (``knowledge_exceptions.py``).
EXCEPTION_MODULE_SUFFIXES = ("_exceptions",)
#: Names that are not exceptions even when imported from an exceptions module.
NON_EXCEPTION_SUFFIXES = ("Response", "Schema", "Model", "Mixin", "Handler", "Middleware",
                          "Detail", "Code", "Enum")


class ExceptionClassOutsideExceptionsModule(Rule):
    """Exception class defined in a layer module other than an exceptions module

    ## What it does
    Reports a class definition (at any nesting level) whose bases include an exception
    class, in a file of any layer except the exceptions layer (`exceptions.py`,
    `errors.py`, an `exceptions/` package). A base counts as an exception class when it is
    `Exception`/`BaseException` or another built-in exception (warnings excepted), when its
    name or last attribute — as written or as imported, so aliases do not matter — ends in
    `Error` or `Exception` (`DomainError`, `fastapi.HTTPException`), or when it is imported
    from an exceptions-layer module (`from app.user.exceptions import NotFound`,
    `exceptions.Forbidden`) and its imported name does not end in `Response`, `Schema`,
    `Model`, `Mixin`, `Handler`, `Middleware`, `Detail`, `Code` or `Enum` (error payload
    schemas and handlers may live in `exceptions.py` too).

    Decision: `core` modules other than `core/exceptions.py` (e.g. `core/middleware.py`)
    and the `apis` layer are layers too, so an exception class there is reported, and the
    message points to `core/exceptions.py` instead of a feature's module. A module whose
    name ends in `_exceptions` (`knowledge_exceptions.py`, wherever it sits) is an
    exceptions module too; `*_errors.py` is not (it often holds error reporting, not
    exception classes). Files without a layer (`main.py`, scripts, migrations) are
    not checked.
    Not findings: classes whose own name ends in `Error` but whose bases are not exceptions
    (`class ErrorResponse(BaseModel)`), mixins and enums such as
    `class ErrorCode(str, Enum)`, and warning categories.

    ## Why is this bad?
    The guide: "Expected violations (e.g. data missing, insufficient permissions, limits
    exceeded) should be raised via custom Domain Exceptions defined within exceptions.py",
    the feature's module for "Domain-specific error classes". Exceptions scattered across
    services and CRUD modules are hard to find for the route and the global handler that
    must translate them, and importing them drags in the module that defines them.

    ## Example
    ```python
    # app/billing/services/invoice.py
    class InvoiceAlreadyPaid(Exception):
        pass
    ```

    ## Use instead
    ```python
    # app/billing/exceptions.py
    class InvoiceAlreadyPaid(BillingError):
        pass

    # app/billing/services/invoice.py
    from app.billing.exceptions import InvoiceAlreadyPaid
    ```

    ## Options
    None.

    ## When not to use it
    A private exception used only inside one module (a retry signal between two functions
    of the same service) is reported too: move it to `exceptions.py` anyway, or silence
    the class with `# noqa: DDD008`. A module of error classes under another name
    (`faults.py`) is mapped with `ddd-layer-paths = app/*/faults.py=exceptions`.
    """

    code = "DDD008"
    message = "exception class {name} defined in a {layer} module: {remedy}"
    scope = Scope.LAYERS
    layers = frozenset(layer for layer in Layer if layer is not Layer.EXCEPTIONS)
    since = "0.1.0"

    @on(ast.ClassDef)
    def check_class(self, node: ast.ClassDef) -> None:
        layers = self.ctx.layers
        if Layer.EXCEPTIONS in layers or self.ctx.location.stem.endswith(EXCEPTION_MODULE_SUFFIXES):
            return
        if any(self._is_exception_base(base) for base in node.bases):
            layer = sorted(layer.value for layer in layers)[0]
            self.report(node, name=node.name, layer=layer, remedy=self._remedy())

    def _remedy(self) -> str:
        location = self.ctx.location
        if location.in_core or location.has(Layer.CORE) or location.has(Layer.APIS) or not location.feature:
            return "define application-wide exceptions in core/exceptions.py"
        return f"define domain exceptions in the feature's exceptions.py ({location.feature}/exceptions.py)"

    def _is_exception_base(self, base: ast.AST) -> bool:
        written = last_name(base)
        if written is None:
            return False
        qualified = self.ctx.qualified_name(base)
        name = qualified.rpartition(".")[2] if qualified else written
        if name.endswith(EXCEPTION_SUFFIXES) or written.endswith(EXCEPTION_SUFFIXES):
            return True
        builtin = builtin_exception_name(self.ctx, base)
        if builtin is not None:
            return builtin not in BUILTIN_WARNING_NAMES
        if qualified is None or "." not in qualified or name.endswith(NON_EXCEPTION_SUFFIXES):
            return False
        module = qualified.rpartition(".")[0]
        return Layer.EXCEPTIONS in self.ctx.locate_import(module).layers
