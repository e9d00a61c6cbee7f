from __future__ import annotations

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope
from flake8_ddd.rules._database import ReportsDatabaseAccess


class DatabaseAccessInRoutes(ReportsDatabaseAccess, Rule):
    """Database query or statement built in the routes layer

    ## What it does
    Reports, in a module of the routes layer, a call of a session method (`execute`,
    `scalars`, `scalar`, `query`, `get`, `add`, `add_all`, `delete`, `merge`, `flush`,
    `refresh`, `exec`, `stream`) on a session-like receiver (a name or attribute whose last
    part is `db`, `session`, `db_session` or ends in `_session`, or a parameter annotated
    `Session`/`AsyncSession`), and a call of a SQLAlchemy statement constructor (`select`,
    `insert`, `update`, `delete`, `text`) imported from `sqlalchemy`, `sqlalchemy.sql`,
    `sqlalchemy.sql.expression`, `sqlalchemy.future` or `sqlmodel`, in any import form or
    alias. Applies to every function of the module, not only to route handlers.

    Imports are not findings. Look-alikes are not findings: `payload.get(...)`,
    `request.headers.get(...)`, `customer_service.delete(session, ...)` (the session is an
    argument, not the receiver), `counter.add(1)`, a helper's `.select(...)` or a local
    `select` function. One finding per line; a statement built inside the arguments of a
    reported session call (`db.execute(select(User))`, even over several lines) is the same
    finding. `commit`/`rollback` are DDD005's concern.

    Not sessions either: Starlette's cookie session (`request.session.get(...)` on a
    parameter annotated `Request`/`WebSocket`/`HTTPConnection`) and a name the function binds
    to a third-party, non-SQLAlchemy object (`async with aiohttp.ClientSession() as session`,
    `session = requests.Session()`, a parameter annotated `aiohttp.ClientSession`).

    ## Why is this bad?
    The guide's route layer rule: "NO DATABASE QUERIES: Do not directly query the ORM from a
    route." Routes parse inputs, delegate to services and return responses; queries belong in
    the `crud/` layer, called through a service.

    ## Example
    ```python
    @router.get("/users/{user_id}", response_model=UserRead)
    async def read_user(user_id: int, db: AsyncSession = Depends(get_db)):
        result = await db.execute(select(User).where(User.id == user_id))
        return result.scalar_one()
    ```

    ## Use instead
    ```python
    @router.get("/users/{user_id}", response_model=UserRead)
    async def read_user(user_id: int, service: UserService = Depends(get_user_service)):
        return await service.get_user(user_id)
    ```

    ## Options
    None of its own; session-like names come from the global `ddd-session-names`.

    ## When not to use it
    A health check that runs `SELECT 1` in its handler is reported: move the probe into a
    service of `core`, or silence the line with `# noqa: DDD201`. A receiver that only looks
    like a session (`db` holding a Redis client) is silenced with `ddd-session-names`.
    """

    code = "DDD201"
    message = "database access {call} in the routes layer: query in crud and call it through a service"
    scope = Scope.LAYERS
    layers = frozenset({Layer.ROUTES})
    since = "0.1.0"
