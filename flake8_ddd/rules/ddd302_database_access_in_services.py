from __future__ import annotations

from flake8_ddd.layers import Layer
from flake8_ddd.rule import Rule, Scope
from flake8_ddd.rules._database import SERVICE_ALLOWED_METHODS, ReportsDatabaseAccess


class DatabaseAccessInServices(ReportsDatabaseAccess, Rule):
    """Database query or statement built in the services layer

    ## What it does
    Reports, in a module of the services layer, what DDD201 reports in the routes layer: a
    call of a session method (`execute`, `scalars`, `scalar`, `query`, `get`, `add`,
    `add_all`, `delete`, `merge`, `exec`, `stream`) on a session-like receiver, and a call of
    a SQLAlchemy statement constructor (`select`, `insert`, `update`, `delete`, `text`)
    imported from `sqlalchemy`, `sqlalchemy.sql`, `sqlalchemy.sql.expression`,
    `sqlalchemy.future` or `sqlmodel`. The unit-of-work calls a service owns are allowed:
    `commit`, `rollback`, `flush` (the guide: services "flush/commit using the DB session"),
    `begin`, `begin_nested`, `close`, `refresh`, `expire`, `expunge`.

    Look-alikes are not findings: `payload.get(...)`, `customer_service.delete(session, ...)`
    (the session is an argument; passing it to crud is the intended design), `counter.add(1)`,
    a local `select`. One finding per line; a statement built inside the arguments of a
    reported session call is the same finding.

    Not sessions either: Starlette's cookie session (`request.session.get(...)` on a
    parameter annotated `Request`/`WebSocket`/`HTTPConnection`) and a name the function binds
    to a third-party, non-SQLAlchemy object (`async with aiohttp.ClientSession() as session`,
    `session = requests.Session()`, a parameter annotated `aiohttp.ClientSession`).

    ## Why is this bad?
    The guide's service layer rule: "Interacts with the data layer exclusively through the
    module's crud/ layer instances." Services own the transaction ("Services are strictly
    responsible for calling session.commit() or session.rollback()"), not the queries.

    ## Example
    ```python
    async def deactivate(self, session: AsyncSession, user_id: int) -> None:
        user = await session.get(User, user_id)
        user.active = False
        await session.commit()
    ```

    ## Use instead
    ```python
    async def deactivate(self, session: AsyncSession, user_id: int) -> None:
        user = await user_crud.get(session, user_id)
        user.active = False
        await session.commit()
    ```

    ## Options
    None of its own; session-like names come from the global `ddd-session-names`.

    ## When not to use it
    In a project that has no crud layer yet, every query of every service is reported (one
    project had about a thousand): leave the rule off (`extend-ignore = DDD302`) until the
    queries move to crud, or turn it on feature by feature with `per-file-ignores =
    app/legacy/*:DDD302`. A name that only looks like a session (`db` holding a Redis
    client) is silenced with `ddd-session-names`; a single deliberate query with
    `# noqa: DDD302`.
    """

    code = "DDD302"
    message = "database access {call} in the services layer: go through the feature's crud layer"
    scope = Scope.LAYERS
    layers = frozenset({Layer.SERVICES})
    since = "0.1.0"
    allowed_methods = SERVICE_ALLOWED_METHODS
