"""Every module of the running Python's standard library, linted as if it sat at each layer's
path (and at a layer-free path): no exception and no DDD000."""

from __future__ import annotations

import ast
import sysconfig
import warnings
from pathlib import Path
from typing import List, Tuple

import pytest

from flake8_ddd.engine import lint_tree
from flake8_ddd.layers import Layer
from harness import FIXTURES, config

LAYER_PATHS = {
    Layer.ROUTES: "app/sweep/routes/mod.py",
    Layer.SERVICES: "app/sweep/services/mod.py",
    Layer.CRUD: "app/sweep/crud/mod.py",
    Layer.SCHEMAS: "app/sweep/schemas/mod.py",
    Layer.MODELS: "app/sweep/models/mod.py",
    Layer.DEPENDENCIES: "app/sweep/dependencies.py",
    Layer.EXCEPTIONS: "app/sweep/exceptions.py",
    Layer.TASKS: "app/sweep/tasks.py",
    Layer.CORE: "app/core/settings.py",
    Layer.APIS: "app/apis/v1.py",
}
PATHS = [*LAYER_PATHS.values(), "app/core/database.py", "app/sweep/__init__.py", "main.py"]


def stdlib_trees() -> List[Tuple[str, ast.AST, List[str]]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    trees = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts or "dist-packages" in path.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source, str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        trees.append((str(path.relative_to(root)), tree, source.splitlines(True)))
    return trees


@pytest.fixture(scope="module")
def trees():
    found = stdlib_trees()
    assert len(found) > 500
    return found


@pytest.mark.parametrize("layer_path", PATHS)
def test_stdlib_at_layer_path_never_fails(trees, layer_path):
    cfg = config()
    filename = str(FIXTURES / layer_path)
    failures = []
    for name, tree, lines in trees:
        findings = lint_tree(tree, filename, lines, cfg)
        failures += [f"{name}: {f.message}" for f in findings if f.code == "DDD000"]
    assert not failures, "\n".join(failures[:20])
