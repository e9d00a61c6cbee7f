"""The one test harness: fixture files with inline expectations, linting in-process, throwaway
projects on disk, the real flake8, and ``codes()`` to pick findings out of any of them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import pytest

from flake8_ddd.diagnostics import Finding
from flake8_ddd.engine import lint_source
from flake8_ddd.layers import Layer
from flake8_ddd.configuration import build_config
from flake8_ddd.options import Config
from flake8_ddd.registry import all_options

FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).parent
#: Every group named, so opt-in rules are on for the fixtures.
ALL_GROUPS = ("DDD0", "DDD1", "DDD2", "DDD3", "DDD4", "DDD5", "DDD6")
EXPECTATION = re.compile(r"#\s*error:\s*(DDD\d{3}(?:\s*,\s*DDD\d{3})*)\s*$")
Expected = Set[Tuple[int, str]]
#: A file of each layer below the fixtures root (a project root), for code linted "as if it sat
#: there" (the crash sweep, the properties).
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
#: Those, the database module, a feature's package and a layer-free file.
SAMPLE_PATHS = [*LAYER_PATHS.values(), "app/core/database.py", "app/sweep/__init__.py", "main.py"]
CONFIG_FILES = {"setup_cfg": "setup.cfg", "pyproject_toml": "pyproject.toml", "tox_ini": "tox.ini",
                "flake8": ".flake8"}
#: The docstring of a rule a test defines (``__doc__ = TEST_RULE_DOC``): the sections every rule
#: must have, saying nothing a user would see.
TEST_RULE_DOC = """A rule defined by a test.

    ## What it does
    Nothing a user sees.

    ## Why is this bad?
    "It is not."

    ## Example
    ```python
    f()
    ```

    ## Use instead
    ```python
    g()
    ```

    ## Options
    None.
    """


def fixture_files() -> List[Path]:
    """Every module of the fixture project but its central tests tree (tests/, never checked:
    it is there for DDD605)."""
    return sorted(p for p in FIXTURES.rglob("*.py") if p.relative_to(FIXTURES).parts[0] != "tests")


def expectations(source: str) -> Expected:
    """``(line, code)`` for every ``# error: DDD001[, DDD005]`` marker in the source."""
    found: Expected = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECTATION.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


def src(text: str) -> str:
    """A dedented source whose first line is the line after the opening quotes."""
    return textwrap.dedent(text).lstrip("\n")


def config(**raw: object) -> Config:
    """The configuration flake8 would build from ``ddd_*`` options; every group selected unless
    ``selected=`` names others (selection only switches opt-in codes on)."""
    selected = raw.pop("selected", ALL_GROUPS)
    return build_config({k.replace("_", "-"): v for k, v in raw.items()}, all_options(),
                        selected)  # type: ignore[arg-type]


def findings(source: str, path: str, cfg: Optional[Config] = None) -> List[Finding]:
    """The engine's findings for source placed at ``path`` (relative to the fixtures root)."""
    return lint_source(source, str(FIXTURES / path), cfg or config())


def lint(source: str, path: str, cfg: Optional[Config] = None) -> Expected:
    """``(line, code)`` of each finding for source placed at ``path``."""
    return {(f.line, f.code) for f in findings(source, path, cfg)}


def lint_messages(source: str, path: str, cfg: Optional[Config] = None) -> List[str]:
    """``line:column: message`` of each finding, as flake8 prints them."""
    return [f"{f.line}:{f.col + 1}: {f.message}" for f in findings(source, path, cfg)]


Found = Union[subprocess.CompletedProcess, Iterable[Tuple]]


def codes(found: Found, *prefixes: str) -> Set[Tuple]:
    """The findings whose code starts with one of ``prefixes`` (every finding when none is given).

    ``found`` is what ``lint`` returns (``(line, code)`` pairs) or a finished flake8 or
    ``flake8-ddd check`` process, whose output becomes ``(path, line, code)`` triples.
    """
    if isinstance(found, subprocess.CompletedProcess):
        found = {(path, line, code) for path, pairs in parse_flake8(found.stdout).items()
                 for line, code in pairs}
    return {finding for finding in found if not prefixes or finding[-1].startswith(prefixes)}


def make_project(root: Path, files: Dict[str, str], **config_files: str) -> Path:
    """Write ``files`` (dedented) under ``root``, and the configuration files named by keyword
    (``setup_cfg=``, ``pyproject_toml=``, ``tox_ini=``, ``flake8=``); without any, a bare
    ``setup.cfg`` marks ``root`` as the project root, so layer paths count from there."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in config_files.items():
        (root / CONFIG_FILES[name]).write_text(textwrap.dedent(text), encoding="utf-8")
    if not any((root / name).exists() for name in CONFIG_FILES.values()):
        (root / "setup.cfg").write_text("[metadata]\nname = sample\n", encoding="utf-8")
    return root


def clean_env() -> Dict[str, str]:
    """This environment with the test interpreter's scripts first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)
    return env


def run_flake8(args: Sequence[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    """Run the real flake8 (this interpreter's) and return the completed process."""
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), input=stdin,
                          capture_output=True, text=True, timeout=600, env=clean_env())


def run_check(args: Sequence[str], cwd: Path, stdin: Optional[str] = None,
              env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """The real standalone command, ``python -m flake8_ddd check ...``."""
    return subprocess.run([sys.executable, "-m", "flake8_ddd", "check", *args], cwd=str(cwd),
                          input=stdin, capture_output=True, text=True, timeout=600,
                          env=env or clean_env())


def findings_of(output: str) -> set:
    """``(path, line, col, code, text)`` from concise / flake8 default output, paths normalized."""
    found = set()
    for line in output.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
            code, _, text = parts[3].strip().partition(" ")
            found.add((os.path.normpath(parts[0]), int(parts[1]), int(parts[2]), code, text))
    return found


CODE = re.compile(r"[A-Z]+\d+")


def parse_flake8(output: str) -> Dict[str, Expected]:
    """``(line, code)`` findings per path from flake8's default output format."""
    found: Dict[str, Expected] = {}
    for path, line, _, code, _ in findings_of(output):
        if CODE.fullmatch(code):
            found.setdefault(path, set()).add((line, code))
    return found


@pytest.fixture(scope="module")
def deep_enough() -> Iterator[None]:
    """A recursion limit that the plain recursive reference walks of deep stdlib modules fit
    (``pytestmark = pytest.mark.usefixtures("deep_enough")`` with the fixture imported)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10000))
    yield
    sys.setrecursionlimit(limit)
