from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._import_targets import RANKS, ImportTarget, layer_names, offending_targets, ranks
from flake8_ddd.rules.ddd103_import_of_other_feature_internals import is_other_feature_internals


class ImportOfHigherLayer(Rule):
    """A layer imports a strictly higher-ranked layer

    ## What it does
    Reports an import statement whose first-party target is in a layer ranked strictly
    higher than the importing module's layer. Ranks: routes, tasks, dependencies = 4 >
    services = 3 > crud = 2 > models = schemas = 1. So crud → services, services → routes,
    services → tasks or dependencies, schemas → crud and models → crud are findings;
    models ↔ schemas, same-layer imports and imports of the exceptions, core and apis
    layers (which have no rank) are not. Each statement is reported once, naming every
    offending module.

    Decision: a module with two layers (a `ddd-layer-paths` glob such as
    `app/*/models.py=models+schemas`) is judged by its highest rank, and a target with two
    layers by its lowest, so only an import that is upward under every reading is
    reported. Imports under `if TYPE_CHECKING:` and inside functions are reported too: the
    dependency direction is what matters. Files in `core` get only DDD104. An import of
    another feature's crud or routes module is DDD103's finding and not repeated here
    (`from app.orders.routes import router` in `app/billing/crud/`).

    ## Why is this bad?
    The guide strictly decouples "HTTP routing, business logic, and database access" into
    "independent layers" and orders the work "schemas/" → "crud/" → "services/" →
    "routes/": each layer builds on the ones below it. A CRUD module that imports a
    service (or a schema that imports CRUD) creates an upward dependency and, soon, an
    import cycle.

    ## Example
    ```python
    # app/user/crud/user.py
    from app.user.services.user import hash_password
    ```

    ## Use instead
    ```python
    # app/user/crud/user.py: receive the already-hashed value from the service
    async def create(self, db: AsyncSession, *, email: str, password_hash: str) -> User:
        ...
    ```

    ## Options
    None.

    ## When not to use it
    A shared module named like a layer that holds something else is judged by its name:
    a top-level `dependencies.py` holding base classes (`BaseService`, `BaseRepository`)
    makes every service and repository that inherits them "import the dependencies
    layer", and a legacy `models/` package holding data access makes it "import crud".
    Move the base classes to `core/`, or give the module its real layer with
    `ddd-layer-paths = app/modules/dependencies.py=core` (or a `# ddd: layer=core` pin).
    A deliberate lazy import takes `# noqa: DDD102`.
    """

    code = "DDD102"
    message = ("{layer} module imports {targets}: a layer may only import lower layers "
               "(routes, tasks, dependencies > services > crud > models, schemas)")
    scope = Scope.LAYERS
    layers = frozenset(RANKS)
    since = "0.1.0"

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        location = self.ctx.location
        own = ranks(location.layers)
        if location.in_core or not own:
            return
        highest = max(own)

        def upward(target: ImportTarget) -> bool:
            theirs = ranks(target.location.layers)
            return (bool(theirs) and min(theirs) > highest
                    and not is_other_feature_internals(location, target))

        found = offending_targets(self.ctx, node, upward)
        if found:
            targets = ", ".join(f"{layer_names(t.location.layers, RANKS.keys())} module {t.shown}"
                                for t in found)
            self.report(node, layer=layer_names(location.layers, RANKS.keys()), targets=targets)
