"""Import targets: the first-party modules an import statement brings in, located in the
architecture, and the layer ranks the import rules (DDD101-DDD105) compare.

Decisions recorded here apply to every rule that uses them:

- An *import target* is what a statement brings in: ``from app.user.crud import user_crud``
  -> ``app.user.crud.user_crud``; ``import app.user.crud`` -> ``app.user.crud``; relative
  imports are resolved against the importing file (``from ..crud import x`` in
  ``app/user/services/s.py`` -> ``app.user.crud.x``). Its layer comes from the same path
  segments as a file's, without opening the imported file. For ``from M import name``,
  ``name`` is a module only when the project has it as a file or package (looked up on disk
  below the importing file's module root, memoised): ``from app.user import crud`` locates
  ``app.user.crud``, ``from app.apis.v1 import router`` locates ``app.apis.v1``. Without a
  project on disk (standard input, a path that does not exist), ``M`` is located when it has a
  layer other than core/apis, else the name is taken as a module.
- Only first-party targets count (``ctx.is_first_party``: relative imports, the importing
  file's own top-level packages, ``ddd-app-packages``), so ``from fastapi.openapi import
  models`` or ``from pydantic import schema`` are never layer imports.
- ``ddd-layer-paths`` and ``ddd-layer-exclude`` globs apply to import targets too (see
  ``layers.locate_module``).
- A target's feature that is an enclosing package of the importing file (``app`` for
  ``app/crud.py``, imported from ``app/core/db.py`` or ``app/user/routes/x.py``) is the
  application package of a layer-first project, not another feature.
- A target whose layer comes from a directory that also holds the importer is not another
  layer (see ``in_own_layer_package``): it is a sibling in a package that is named like a layer.
"""

from __future__ import annotations

import ast
from typing import (TYPE_CHECKING, AbstractSet, Callable, FrozenSet, Iterator, List, Mapping, NamedTuple,
                    Optional)

from flake8_ddd.layers import Layer, Location, is_project_module
from flake8_ddd.module_paths import project_module_kind

if TYPE_CHECKING:
    from flake8_ddd.context import FileContext

#: The dependency rank of each layer (DDD102): a layer may import only layers ranked below it
#: or equal to it. Exceptions, core and apis have no rank.
RANKS: Mapping[Layer, int] = {
    Layer.ROUTES: 4, Layer.TASKS: 4, Layer.DEPENDENCIES: 4,
    Layer.SERVICES: 3,
    Layer.CRUD: 2,
    Layer.MODELS: 1, Layer.SCHEMAS: 1,
}

#: Layers that are packages of other modules rather than a layer of their own (for targets).
CONTAINER_LAYERS: FrozenSet[Layer] = frozenset({Layer.CORE, Layer.APIS})


class ImportTarget(NamedTuple):
    """One first-party module or name an import statement brings in."""

    #: ``app.user.crud.user_crud``
    dotted: str
    #: The module shown in messages (the one that was located): the ``from`` module when it
    #: has a layer, else the target itself (``app.user.crud`` for ``from app.user import crud``).
    shown: str
    location: Location


# --- import targets -----------------------------------------------------------------------

def first_party_targets(ctx: FileContext, node: ast.AST) -> Iterator[ImportTarget]:
    """The first-party targets of an ``Import``/``ImportFrom`` statement, each located."""
    level = getattr(node, "level", 0) or 0
    from_location: Optional[Location] = None
    from_module: Optional[str] = None
    if isinstance(node, ast.ImportFrom):
        from_module = ctx.import_from_module(node)
        if from_module is None or not ctx.is_first_party(from_module, level):
            return  # every name it imports is below the same (third-party) top package
        from_location = ctx.locate_import(from_module)
    module_has_layer = from_location is not None and bool(from_location.layers - CONTAINER_LAYERS)
    # A module file has no submodules: its names are not looked up on disk one by one.
    from_file = from_location is not None and project_module_kind(ctx.location.root, from_module) == "module"
    for dotted in ctx.import_targets(node):
        if from_location is not None and dotted != from_module:
            # ``name`` in ``from X import name`` is a module only when the project has it (a
            # file or package); without a project to look in, only when X has no layer.
            is_module = False if from_file else is_project_module(ctx.location.root, dotted)
            if is_module is False or (is_module is None and module_has_layer):
                yield ImportTarget(dotted, from_module, from_location)  # type: ignore[arg-type]
                continue
        if ctx.is_first_party(dotted, level):
            yield ImportTarget(dotted, dotted, ctx.locate_import(dotted))


def offending_targets(ctx: FileContext, node: ast.AST,
                      predicate: Callable[[ImportTarget], bool]) -> List[ImportTarget]:
    """Targets of ``node`` for which ``predicate(target)`` holds, one per shown module.

    ``predicate`` judges a target by its location (DDD101-DDD104 do): names imported from one
    module file (``from app.user.crud.user import a, b, c``) are one target for it."""
    found: List[ImportTarget] = []
    seen = set()
    # DDD101-DDD104 each ask about the same statement: its targets are located once per file.
    by_statement = ctx.shared("import targets by statement", lambda ctx: {})
    targets = by_statement.get(id(node))
    if targets is None:
        targets = by_statement[id(node)] = _judged_targets(ctx, node)
    for target in targets:
        if target.shown not in seen and predicate(target):
            seen.add(target.shown)
            found.append(target)
    return found


def _judged_targets(ctx: FileContext, node: ast.AST) -> List[ImportTarget]:
    """The first-party targets outside the importer's own layer package, without a target
    that repeats the one before it in shown module and location (the same located object):
    the rules would judge it alike and report the shown module once anyway."""
    kept: List[ImportTarget] = []
    for target in first_party_targets(ctx, node):
        if kept and target.location is kept[-1].location and target.shown == kept[-1].shown:
            continue
        if not in_own_layer_package(ctx.location, target.location):
            kept.append(target)
    return kept


def in_own_layer_package(importer: Location, target: Location) -> bool:
    """Whether the directory that gives the target its layer also contains the importer.

    ``from .enums import Rating`` in ``feedback/service/models.py``: the target is in the
    ``service`` directory (services layer) only because the importer's own package is named
    like a layer; the importer, a models module by its stem, does not import another layer.
    """
    segment = target.layer_segment
    parts = target.module_parts
    if segment is None or segment not in parts[:-1]:
        return False
    index = len(parts) - 2 - parts[-2::-1].index(segment)
    return importer.module_parts[:-1][:index + 1] == parts[:index + 1]


def foreign_feature(importer: Location, target: Location) -> Optional[str]:
    """The target's feature when it is another feature than the importer's, else None."""
    feature = target.feature
    if feature is None or feature == importer.feature:
        return None
    if feature in importer.module_parts[:-1]:
        return None  # an enclosing package (``app`` of a layer-first project), not a feature
    return feature


def ranks(layers: AbstractSet[Layer]) -> List[int]:
    return [RANKS[layer] for layer in layers if layer in RANKS]


def layer_names(layers: AbstractSet[Layer], only: Optional[AbstractSet[Layer]] = None) -> str:
    """``models/schemas`` for a file with two layers."""
    return "/".join(sorted(layer.value for layer in layers if only is None or layer in only))
