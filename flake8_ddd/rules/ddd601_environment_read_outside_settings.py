from __future__ import annotations

import ast
from typing import Set

from flake8_ddd.ast_names import dotted_name
from flake8_ddd.context import FileContext
from flake8_ddd.rule import Rule, Scope, on

ENVIRONMENT_NAMES = frozenset({"os.environ", "os.environb", "os.getenv", "os.getenvb"})
ENVIRONMENT_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in ENVIRONMENT_NAMES)
#: ``os.environ.<method>(...)`` calls that only write.
WRITE_METHODS = frozenset({"update", "clear", "__setitem__", "__delitem__"})


class EnvironmentReadOutsideSettings(Rule):
    """Environment variable read outside the settings module

    ## What it does
    Reports every read of the process environment — `os.environ[...]`,
    `os.environ.get(...)`, `os.getenv(...)`, any other use of `os.environ` (`"X" in
    os.environ`, `os.environ.copy()`, passing it on), and the same through `from os
    import environ, getenv` (aliases too) or `import os as o` — in a module of any layer
    or of `core`, except the settings module (`core/settings.py`, `core/config.py`, or a
    module of a `core/settings/` or `core/config/` package). `os.environb`/`os.getenvb`
    count too. Reported at the `os.environ`/`os.getenv` reference, once per reference.

    Decision: writes are not reads and are not reported: `os.environ["X"] = ...`,
    `del os.environ["X"]`, `os.environ.update(...)`, `os.environ.clear()`. Files without
    a layer (`main.py`, scripts, migrations) are not checked. `os` must be imported: a
    local object called `environ` is not the environment.

    ## Why is this bad?
    The guide: `core/settings.py` holds "Global configuration and environment variable
    loading", and configurations are passed into the layers by "Dependency Injection".
    Scattered `os.getenv` calls hide configuration, skip validation and defaults, and
    make modules hard to test.

    ## Example
    ```python
    # app/billing/services/invoice.py
    import os

    STRIPE_KEY = os.environ["STRIPE_KEY"]
    ```

    ## Use instead
    ```python
    # app/billing/services/invoice.py
    from app.core.settings import settings

    STRIPE_KEY = settings.stripe_key
    ```

    ## Options
    None.

    ## When not to use it
    A feature whose job is configuration (a `settings/` feature reading an override from the
    environment) is reported when it is not the settings module: name it in
    `ddd-settings-names`, pin it with `# ddd: layer=core`, or silence the read with
    `# noqa: DDD601`. Module-level reads in routes (`os.getenv("CLIENT_ID")`) are findings
    on purpose: load them in the settings module.
    """

    code = "DDD601"
    required_words = ('environ', 'getenv')
    message = ("environment read through {name} outside the settings module: load it in "
               "core settings and inject the value")
    scope = Scope.ANY_LAYERED_FILE
    since = "0.1.0"

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._exempt = ctx.location.is_settings_module
        self._writes: Set[int] = set()

    @on(ast.Subscript)
    def note_item_write(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._writes.add(id(node.value))

    @on(ast.Call)
    def note_method_write(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            self._writes.add(id(node.func.value))

    @on(ast.Name, ast.Attribute)
    def check_reference(self, node: ast.AST) -> None:
        if self._exempt or not isinstance(getattr(node, "ctx", None), ast.Load):
            return
        if id(node) in self._writes:
            return
        # Exact shortcut: a Name resolves only through an import, and an Attribute's qualified
        # name ends with its own attr.
        if isinstance(node, ast.Attribute) and node.attr not in ENVIRONMENT_LAST_NAMES:
            return
        if isinstance(node, ast.Name) and self.ctx.imported(node.id) is None:
            return
        if self.ctx.qualified_name(node) in ENVIRONMENT_NAMES:
            self.report(node, name=dotted_name(node))
