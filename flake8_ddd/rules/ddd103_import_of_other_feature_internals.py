from __future__ import annotations

import ast

from flake8_ddd.layers import Layer, Location
from flake8_ddd.rule import Rule, Scope, on
from flake8_ddd.rules._import_targets import ImportTarget, foreign_feature, layer_names, offending_targets

INTERNAL_LAYERS = frozenset({Layer.CRUD, Layer.ROUTES})


def is_other_feature_internals(importer: Location, target: ImportTarget) -> bool:
    """Whether ``target`` is another feature's crud or routes module, seen from a feature
    module (DDD103; DDD102 leaves such an import to it)."""
    if importer.in_core or importer.feature is None:
        return False
    return (bool(target.location.layers & INTERNAL_LAYERS)
            and foreign_feature(importer, target.location) is not None)


class ImportOfOtherFeatureInternals(Rule):
    """A feature imports another feature's CRUD or routes layer

    ## What it does
    Reports an import statement in a module of feature A whose first-party target is in
    the crud or routes layer of another feature B: `from app.billing.crud import
    invoice_crud` in `app/user/services/user.py`. Importing another feature's services,
    schemas, models or exceptions is not a finding. Each statement is reported once,
    naming every offending module.

    Decision: modules without a feature are not checked: `app/apis/` (which aggregates
    the feature routers by design), `main.py`, and `core` (which gets only DDD104). The
    package that holds a layer-first project's layers (`app` of `app/crud.py`) is an
    enclosing package, not another feature. Features are compared by name. Imports under
    `if TYPE_CHECKING:` and inside functions are reported too.

    ## Why is this bad?
    The guide groups code "by Domain/Feature" into encapsulated vertical slices, and the
    service layer "coordinate[s] interactions between ... other domain services". Reaching
    into another feature's CRUD skips that feature's business rules; importing its routes
    couples two HTTP surfaces. Go through the other feature's service.

    ## Example
    ```python
    # app/user/services/user.py
    from app.billing.crud import invoice_crud
    ```

    ## Use instead
    ```python
    # app/user/services/user.py
    from app.billing.services.invoice import InvoiceService
    ```

    ## Options
    None.

    ## When not to use it
    A module that gathers every feature's router (`app/router.py` with
    `include_router(...)`) plays the role of `app/apis/` and is reported when it sits in a
    feature or is named like the routes layer: move it to `app/apis/`, pin it with
    `# ddd: layer=apis`, or add `per-file-ignores = app/router.py:DDD103`. An import of
    another feature's crud kept on purpose (a clean-up on account deletion) takes
    `# noqa: DDD103`. Such an import is not also reported as DDD102: ignoring DDD103 hides
    it altogether.
    """

    code = "DDD103"
    message = "imports {targets}: go through that feature's service"
    scope = Scope.LAYERS
    layers = frozenset(layer for layer in Layer if layer not in (Layer.CORE, Layer.APIS))
    since = "0.1.0"

    @on(ast.Import, ast.ImportFrom)
    def check_import(self, node: ast.AST) -> None:
        location = self.ctx.location
        if location.in_core or location.feature is None:
            return
        found = offending_targets(self.ctx, node, lambda t: is_other_feature_internals(location, t))
        if found:
            targets = ", ".join(
                f"{layer_names(t.location.layers, INTERNAL_LAYERS)} module {t.shown} of feature "
                f"{t.location.feature}" for t in found)
            self.report(node, targets=targets)
