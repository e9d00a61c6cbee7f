"""The standard library of the running Python, linted as if each module sat at each layer's path
(and at layer-free paths): no exception and no DDD000.

The default run lints a fixed sample: every third module, each at one of the paths in turn, so
every path gets its share. ``--exhaustive`` (CI's main interpreter) lints every module at every
path.
"""

from __future__ import annotations

import ast
import sysconfig
import warnings
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest

from flake8_ddd.engine import lint_source, lint_tree
from harness import FIXTURES, SAMPLE_PATHS, config

STDLIB = Path(sysconfig.get_paths()["stdlib"])
#: The default run lints every SAMPLE_STEP-th module of the standard library.
SAMPLE_STEP = 3
Parsed = Tuple[str, ast.AST, List[str]]


def stdlib_files() -> List[Path]:
    return sorted(path for path in STDLIB.rglob("*.py")
                  if "site-packages" not in path.parts and "dist-packages" not in path.parts)


def parse(path: Path) -> Optional[Parsed]:
    """``(name, tree, lines)`` of a module, or None when this Python cannot read it."""
    try:
        source = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return str(path.relative_to(STDLIB)), tree, source.splitlines(True)


def parsed(paths: List[Path]) -> Iterator[Parsed]:
    return (module for module in map(parse, paths) if module is not None)


def failures_at(layer_path: str, modules: List[Parsed]) -> List[str]:
    cfg = config()
    filename = str(FIXTURES / layer_path)
    failures = []
    for name, tree, lines in modules:
        findings = lint_tree(tree, filename, lines, cfg)
        failures += [f"{name} at {layer_path}: {f.message}" for f in findings if f.code == "DDD000"]
    return failures


def test_stdlib_sample_at_every_layer_path_never_fails():
    sample = list(parsed(stdlib_files()[::SAMPLE_STEP]))
    assert len(sample) > 500 // SAMPLE_STEP
    failures = []
    for index, layer_path in enumerate(SAMPLE_PATHS):
        failures += failures_at(layer_path, sample[index::len(SAMPLE_PATHS)])
    assert not failures, "\n".join(failures[:20])


@pytest.fixture(scope="module")
def trees() -> List[Parsed]:
    found = list(parsed(stdlib_files()))
    assert len(found) > 500
    return found


@pytest.mark.exhaustive
@pytest.mark.parametrize("layer_path", SAMPLE_PATHS)
def test_stdlib_at_layer_path_never_fails(trees, layer_path):
    failures = failures_at(layer_path, trees)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("source", [
    "from . import *\n", "from .. import x\n", "import a.b.c as d\n", "os.environ = {}\n",
    "class A(object()[0]): pass\n", "class B(*bases, **kw): pass\n", "x()()\n",
    "async def f():\n    async with a() as b, c() as d: pass\n",
])
def test_odd_code_never_fails(source):
    ast.parse(source)
    for path in ("app/user/crud/x.py", "app/user/routes/x.py", "app/core/x.py", "app/user/__init__.py"):
        found = lint_source(source, path, config())
        assert not [f for f in found if f.code == "DDD000"], (path, found)
