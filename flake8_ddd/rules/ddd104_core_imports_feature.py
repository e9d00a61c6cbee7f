from __future__ import annotations

import ast

from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._import_targets import ImportTarget, foreign_feature, offending_targets


class CoreImportsFeature(Rule):
    """A core module imports a feature module

    ## What it does
    Reports an import statement in a module under `core/` (any layer: `core/settings.py`,
    `core/database.py`, the generic `core/crud.py`) whose first-party target belongs to a
    feature: `from app.user.models import User` in `app/core/database.py`. Importing other
    core modules, `apis`, or third-party packages is not a finding. This is the only
    layer-import rule applied to core modules. Each statement is reported once, naming
    every feature module it imports.

    Decision: a target belongs to a feature when it sits below the first directory under
    the application package (revision 2), with or without a layer segment:
    `app.user.models`, `app.user.crud.user` and `app.user.seed` are modules of feature
    `user`. In `from X import name`, `name` is a module only when the project has it as a
    file or package (looked up on disk); otherwise it is a name defined in `X`, so
    `from app.apis.v1 import router` imports `app.apis.v1`, which is no feature. Modules
    directly in the application package (`app/models.py` of a layer-first project) and
    layer-first directories (`app/db/repositories/`) belong to no feature, so
    `from app.models import User` in `app/core/db.py` is not a finding. Imports under
    `if TYPE_CHECKING:` and inside functions are reported too.

    ## Why is this bad?
    The guide: `app/core/` "Contains foundational logic that applies to the entire
    application": "Application-wide singletons, configurations, and generic base
    classes". Features build on core; a core module that imports a feature makes every
    feature depend on that one and invites import cycles.

    ## Example
    ```python
    # app/core/crud.py
    from app.user.models import User
    ```

    ## Use instead
    ```python
    # app/core/crud.py
    ModelType = TypeVar("ModelType", bound=Base)


    class CRUDBase(Generic[ModelType, CreateSchemaType, UpdateSchemaType]):
        ...
    ```

    ## Options
    None.

    ## When not to use it
    A shared package directly below the application package (`app/common/`, `app/utils/`)
    counts as a feature, so core importing it is reported: list it in `ddd-grouping-dirs`
    (the message names it), or move what core needs into core. A plugin loader or an
    application factory in core that must import the features' routers to mount them is
    better placed in `apis/` or `main.py`; a deliberate import takes `# noqa: DDD104`.
    """

    code = "DDD104"
    message = ("core module imports {module}: core must not depend on features; move what core "
               "needs into core, or list {features} in ddd-grouping-dirs if it is shared code, not a feature")
    scope = Scope.ANY_LAYERED_FILE
    since = "0.1.0"

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        location = self.ctx.location
        if not location.in_core:
            return

        def of_feature(target: ImportTarget) -> bool:
            return foreign_feature(location, target.location) is not None

        found = offending_targets(self.ctx, node, of_feature)
        if found:
            features = sorted({t.location.feature for t in found if t.location.feature})
            self.report(node, module=", ".join(f"{t.shown} of feature {t.location.feature}" for t in found),
                        features=", ".join(features))
