from __future__ import annotations

import ast

from flake8_ddd.option import Option
from flake8_ddd.rule import Rule, Scope, on

SERVICE_SUFFIX = Option(
    "ddd-service-suffix", ("Service",),
    "Class-name suffixes of services, which route handlers must receive via Depends "
    "instead of constructing (DDD204).")


class ServiceConstructedInRouteHandler(Rule):
    """Route handler constructs its service

    ## What it does
    Reports, in the body of a route handler (a function decorated with
    `@<anything>.get|post|...|api_route|websocket(...)`, in any file), a call of a name whose
    last part ends with `Service` (case-sensitive; `UserService(db)`,
    `services.UserService(db)`, `Service()`). Imported names are read through their import,
    so `from app.users.services import UserService as Users; Users(db)` is a finding and an
    alias that merely ends with `Service` is not.

    Only the handler's body counts: a `Depends(...)` default or an `Annotated[...,
    Depends(...)]` annotation in its signature, its decorators, dependency-provider functions
    (`def get_user_service(...) -> UserService: return UserService(db)`) and functions defined
    inside the handler are not findings. Calls on an injected service
    (`user_service.create(...)`, `UserService.create(...)`) are not constructions.

    ## Why is this bad?
    The guide's route layer rule: "Must rely completely on Dependency Injection to receive
    Services and Database context." A handler that builds its own service hard-wires its
    dependencies and cannot be overridden in tests through `app.dependency_overrides`.

    ## Example
    ```python
    @router.post("/users", response_model=UserRead)
    async def create_user(data: UserCreate, db: AsyncSession = Depends(get_db)):
        return await UserService(db).create(data)
    ```

    ## Use instead
    ```python
    @router.post("/users", response_model=UserRead)
    async def create_user(data: UserCreate,
                          service: Annotated[UserService, Depends(get_user_service)]):
        return await service.create(data)
    ```

    ## Options
    - `ddd-service-suffix`: class-name suffixes that make a call a service construction
      (default `Service`).

    ## When not to use it
    A project that builds its services per request on purpose (`service =
    CasesService(session, role=role)` in every handler) is reported on every handler: the
    guide wants `Depends` (`service: CasesService = Depends(get_cases_service)`); until
    the project moves, leave the rule off with `extend-ignore = DDD204`, or per module with
    `per-file-ignores`. A class ending in `Service` that is not a service (a value object)
    takes `# noqa: DDD204`, or narrow the names with `ddd-service-suffix`.
    """

    code = "DDD204"
    message = "route handler {name}() constructs {service}: receive the service via Depends"
    scope = Scope.ANY_FILE
    # Only a route handler is checked, and it has a decorator (``@router.get(...)``): a file
    # without an "@" has none.
    required_words = ("@",)
    since = "0.1.0"
    options = (SERVICE_SUFFIX,)

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        #: The function the last call was in, and whether it is a route handler: the calls of
        #: one function come one after the other, and most calls are in no route handler.
        self._function: object = None
        self._in_route = False

    @on(ast.Call)
    def check_call(self, node: ast.Call) -> None:
        handler = self.ctx.current_function
        if handler is not self._function:
            self._function, self._in_route = handler, self.ctx.is_route_handler(handler)
        if not self._in_route:  # the cheaper test first
            return
        called = self.ctx.resolved_last_name(node.func)
        if called and called.endswith(tuple(self.ctx.config.get(SERVICE_SUFFIX))):
            self.report(node, name=handler.name, service=called)  # type: ignore[union-attr]
