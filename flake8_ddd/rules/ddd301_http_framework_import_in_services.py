from __future__ import annotations

import ast
from typing import Optional

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._http import transport_module

#: Transport modules imported only for a thread helper, and the neutral spelling to use instead.
THREAD_HELPERS = {
    "starlette.concurrency": "use anyio.to_thread.run_sync (run_in_threadpool is Starlette's wrapper of it)",
    "fastapi.concurrency": "use anyio.to_thread.run_sync (run_in_threadpool is Starlette's wrapper of it)",
}


class HttpFrameworkImportInServices(Rule):
    """fastapi or starlette imported in the services layer

    ## What it does
    Reports an import statement of `fastapi` or `starlette`, or of any of their submodules
    (`import fastapi`, `import starlette.requests as r`,
    `from fastapi import HTTPException, Request`, `from fastapi.responses import JSONResponse`),
    in a module of the services layer, wherever the statement is (module level, inside a
    function, under `if TYPE_CHECKING:`). Each statement is reported once, however many
    names it imports.

    Decision: imports used only for type hints are reported too: a service whose signature
    mentions `Request` still knows about the transport. Not findings: packages whose name
    merely starts with the same letters (`fastapi_users`, `fastapi_pagination`,
    `starlette_context`) and relative imports of the application's own modules.

    ## Why is this bad?
    The guide: services are "Completely agnostic to the transport layer (e.g., Services
    should not know what an HTTP request/response object is)" — "STRICT RULE: Completely
    HTTP-agnostic (no `Request`/`Response` objects)". A service that imports the web
    framework cannot be reused from a background task, a CLI or another service.

    ## Example
    ```python
    from fastapi import HTTPException, Request


    async def create_order(request: Request, data: OrderCreate) -> Order:
        ...
    ```

    ## Use instead
    ```python
    from app.orders.exceptions import OrderRejected


    async def create_order(user_id: int, data: OrderCreate) -> Order:
        ...
    ```

    ## Options
    None.

    ## When not to use it
    `starlette.concurrency.run_in_threadpool` is a thread helper, not transport; the message
    then names `anyio.to_thread.run_sync`, which does the same without the web framework.
    A service that has to build a framework object on purpose (a `StreamingResponse` for a
    download) is better split: return the data and let the route wrap it; otherwise
    silence the import with `# noqa: DDD301`.
    """

    code = "DDD301"
    message = "services import {module}: {remedy}"
    scope = Scope.LAYERS
    layers = frozenset({Layer.SERVICES})
    since = "0.1.0"

    @on(ast.Import)
    def check_import(self, node: ast.Import) -> None:
        module = next(filter(None, (transport_module(a.name) for a in node.names)), None)
        self._report(node, module)

    @on(ast.ImportFrom)
    def check_import_from(self, node: ast.ImportFrom) -> None:
        if not node.level:
            self._report(node, transport_module(node.module))

    def _report(self, node: ast.AST, module: Optional[str]) -> None:
        if module is not None:
            remedy = THREAD_HELPERS.get(module, "keep services transport-agnostic, pass plain data in "
                                                "and raise domain exceptions")
            self.report(node, module=module, remedy=remedy)
