"""Fixture files with inline expectations, and ways to lint them in-process and via flake8."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from flake8_ddd.engine import lint_source
from flake8_ddd.options import Config, build_config
from flake8_ddd.registry import all_options

FIXTURES = Path(__file__).parent / "fixtures"
#: Every group named, so opt-in rules are on for the fixtures.
ALL_GROUPS = ("DDD0", "DDD1", "DDD2", "DDD3", "DDD4", "DDD5", "DDD6")
EXPECTATION = re.compile(r"#\s*error:\s*(DDD\d{3}(?:\s*,\s*DDD\d{3})*)\s*$")
Expected = Set[Tuple[int, str]]


def fixture_files() -> List[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py"))


def expectations(source: str) -> Expected:
    """``(line, code)`` for every ``# error: DDD001[, DDD005]`` marker in the source."""
    found: Expected = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECTATION.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


def config(**raw: object) -> Config:
    selected = raw.pop("selected", ALL_GROUPS)
    return build_config({k.replace("_", "-"): v for k, v in raw.items()}, all_options(),
                        selected)  # type: ignore[arg-type]


def lint(source: str, path: str, cfg: Optional[Config] = None) -> Expected:
    """``(line, code)`` findings for source placed at ``path`` (relative to the fixtures root)."""
    filename = str(FIXTURES / path) if not os.path.isabs(path) else path
    return {(f.line, f.code) for f in lint_source(source, filename, cfg or config())}


def lint_messages(source: str, path: str, cfg: Optional[Config] = None) -> List[str]:
    filename = str(FIXTURES / path)
    return [f"{f.line}:{f.col + 1}: {f.message}" for f in lint_source(source, filename, cfg or config())]


def run_flake8(args: Sequence[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    """Run the real flake8 (this interpreter's) and return the completed process."""
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=str(cwd), input=stdin,
                          capture_output=True, text=True, timeout=600)


FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def parse_flake8(output: str) -> Dict[str, Expected]:
    """Findings per path from flake8's default output format."""
    found: Dict[str, Expected] = {}
    for line in output.splitlines():
        match = FLAKE8_LINE.match(line)
        if match:
            path = os.path.normpath(match["path"])
            found.setdefault(path, set()).add((int(match["line"]), match["code"]))
    return found
