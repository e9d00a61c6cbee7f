from __future__ import annotations

import os
from typing import Mapping, Optional

from flake8_ddd.layers import BELOW_FEATURE_ONLY, NOT_FEATURES, TEST_SEGMENTS, Layer
from flake8_ddd.rule import Rule, Scope
from flake8_ddd.rules._tests_tree import has_central_tests, has_own_tests

#: Layers whose presence (as a child module or package) makes a directory a feature.
FEATURE_LAYERS = frozenset({Layer.ROUTES, Layer.SERVICES, Layer.CRUD, Layer.SCHEMAS, Layer.MODELS})
CONTAINERS = (Layer.CORE, Layer.APIS)


class FeatureWithoutTests(Rule):
    """Feature package without tests

    ## What it does
    Reports line 1 of a feature package's `__init__.py` when the feature has no tests:
    neither a `tests/` (or `test/`) directory in the package nor, in a central tests tree
    (a `tests/`/`test/` directory of the application package or of a directory above it, up
    to the project root), a directory named after the feature at most three levels deep
    (`tests/billing/`, `tests/unit/billing/`) or a test module named after it
    (`test_billing.py`, `test_billing_service.py`, `billing_test.py`; a decision for
    projects with a flat `tests/unit/`). The check looks at the file system next to the
    real file (flake8's filename), so it runs only on `__init__.py` files that exist on
    disk; stdin input and missing paths are never reported. Opt-in.

    A feature package is a directory with an `__init__.py` that holds at least one layer
    module or package (`routes`, `services`, `crud`, `schemas`, `models` under any
    configured segment name: `crud/`, `service.py`, `models.py`, ...). Not features: a
    directory named like a layer, `core`, `apis` or `tests`, any package inside `core/`
    or `apis/` (`core/db/`), and the application package: one that holds `core/` or
    `apis/`, or a top-level package that holds feature packages (`app/` of `app/user/`,
    `dispatch/` of `dispatch/incident/`).

    ## Why is this bad?
    The guide: every feature "encapsulates its own vertical slice of the application",
    including "tests/ # Isolated unit and integration tests for this feature", and step 5
    of the workflow is "Add Tests: Write functional module tests in tests/ to guarantee
    coverage of the new behavior".

    ## Example
    ```python
    # app/billing/__init__.py, next to crud/, services/, routes/ and no tests/
    ```

    ## Use instead
    ```python
    # app/billing/__init__.py, next to crud/, services/, routes/ and tests/
    ```

    ## Options
    None.

    ## When not to use it
    A central tests tree that names files after something other than the feature
    (`tests/unit/test_price.py` for `pricing/`) is not recognised: name the directory or
    module after the feature, or silence the package with `# noqa: DDD605` on line 1 of its
    `__init__.py` (or `per-file-ignores = app/pricing/__init__.py:DDD605`). Projects that
    keep no tests per feature at all should simply not select this opt-in rule. A shared
    package directly below the application package (`common/`, or a `modules/` directory
    that only groups the features) counts as a feature: list it in `ddd-grouping-dirs`.
    """

    code = "DDD605"
    message = ("feature package {feature} has no tests: add them in {feature}/tests/ or in the "
               "central tree (tests/{feature}/, tests/unit/{feature}/)")
    scope = Scope.FEATURE_PACKAGE
    since = "0.1.0"
    reads_other_files = True
    opt_in = True

    def finish(self) -> None:
        filename = self.ctx.filename
        if os.path.basename(filename) != "__init__.py":
            return
        directory = os.path.dirname(os.path.abspath(filename))
        segments = self.ctx.config.layer.segments
        if any(segments.get(part) in CONTAINERS for part in self.ctx.location.module_parts[:-1]):
            return  # packages inside core/ or apis/ are not features
        location = self.ctx.location
        if location.feature is None or len(location.module_parts) != 3:
            return  # only the first directory below the application package is a feature
        try:
            if not os.path.isfile(filename) or not is_feature_directory(directory, segments):
                return
            if has_own_tests(directory) or has_central_tests(directory):
                return
        except OSError:
            return
        self.report(self.ctx.tree, feature=os.path.basename(directory))


def _child_layer(name: str, is_dir: bool, segments: Mapping[str, Layer]) -> Optional[Layer]:
    stem = name if is_dir else (name[:-3] if name.endswith(".py") else None)
    if stem is None or stem in BELOW_FEATURE_ONLY:
        return None
    return segments.get(stem)


def _could_be_feature(name: str, segments: Mapping[str, Layer]) -> bool:
    return bool(name) and name not in NOT_FEATURES and name not in segments and name not in TEST_SEGMENTS


def _has_layer_children(directory: str, segments: Mapping[str, Layer]) -> bool:
    with os.scandir(directory) as entries:
        return any(_child_layer(e.name, e.is_dir(), segments) in FEATURE_LAYERS for e in entries)


def is_feature_directory(directory: str, segments: Mapping[str, Layer]) -> bool:
    """Whether ``directory`` (a package) is a feature package, judged from its entries."""
    if not _could_be_feature(os.path.basename(directory), segments):
        return False
    with os.scandir(directory) as found:
        entries = list(found)
    if not any(_child_layer(e.name, e.is_dir(), segments) in FEATURE_LAYERS for e in entries):
        return False
    subdirectories = [e for e in entries if e.is_dir()]
    if any(segments.get(e.name) in CONTAINERS for e in subdirectories):
        return False
    top_level = not os.path.isfile(os.path.join(os.path.dirname(directory), "__init__.py"))
    if top_level:
        for entry in subdirectories:
            if (_could_be_feature(entry.name, segments)
                    and os.path.isfile(os.path.join(entry.path, "__init__.py"))
                    and _has_layer_children(entry.path, segments)):
                return False
    return True
