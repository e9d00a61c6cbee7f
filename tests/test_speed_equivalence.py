"""The speed-ups leave findings unchanged (issue 16).

The engine's fast path (dispatch tables built once per rule set, scalars and childless nodes
never pushed, ``required_words`` pre-filters, scopes decided once per layer set, the
collector off) is compared with a plain reference written here: every enabled rule that
applies, no pre-filter, a recursive walk over ``ast.iter_child_nodes`` calling each handler by
name. Same findings, in the same order, on every fixture and on every module of the standard
library placed at a services path (the layer where the most rules apply). Not timed.
"""

from __future__ import annotations

import ast
import gc
import io
import os
import textwrap
import warnings
from pathlib import Path
from typing import List, Optional, Sequence, Set

import pytest

from flake8_ddd.context import FileContext
from flake8_ddd.diagnostics import Finding, internal_error
from flake8_ddd.engine import lint_source, lint_tree
from flake8_ddd.flake8_compat import NoqaLines, noqa_line_map
from flake8_ddd.layers import locate_file
from flake8_ddd.options import Config
from flake8_ddd.registry import all_rules
from flake8_ddd.rule import Rule
from harness import FIXTURES, deep_enough, config, fixture_files

#: The reference walks recurse: deep standard-library modules need a higher recursion limit.
pytestmark = pytest.mark.usefixtures(deep_enough.__name__)

STDLIB = Path(os.__file__).parent
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def reference_findings(tree: ast.AST, filename: str, lines: Sequence[str], cfg: Config) -> List[Finding]:
    """What ``lint_tree`` finds, the plain way."""
    location = locate_file(filename, cfg.layer, lines)
    if location.is_test:
        return []
    classes = [r for r in all_rules() if cfg.enables(r) and r.applies_to(location)]
    after = [r for r in classes if hasattr(r, "after_walk")]
    ctx = FileContext(tree, filename, lines, cfg, location)
    rules = [cls(ctx) for cls in classes if cls not in after]
    failed: Set[Rule] = set()
    failures: List[Finding] = []

    def call(rule: Rule, name: str, node: Optional[ast.AST]) -> None:
        if rule in failed:
            return
        try:
            getattr(rule, name)(*(() if node is None else (node,)))
        except Exception as error:
            failed.add(rule)
            failures.append(internal_error(rule.code, error))

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and ctx.function_stack:
            ctx.add_local_import(node)
        for rule in rules:
            for name in rule.enter_handlers.get(type(node), ()):
                call(rule, name, node)
        body = {id(s) for s in node.body} if isinstance(node, FUNCTIONS) else set()
        for child in ast.iter_child_nodes(node):
            if id(child) in body:
                ctx.function_stack.append(node)
                visit(child)
                ctx.function_stack.pop()
            else:
                visit(child)
        for rule in rules:
            for name in rule.leave_handlers.get(type(node), ()):
                call(rule, name, node)

    visit(tree)
    for rule in rules:
        call(rule, "finish", None)
    ctx.release()
    found = [f for rule in rules if rule not in failed for f in rule.findings] + failures
    for rule_class in after:
        found += rule_class.after_walk(lines, found)  # type: ignore[attr-defined]
    return sorted(found, key=lambda f: (f.line, f.col, f.code))


def assert_same(path: Path, shown: str, cfg: Config) -> None:
    source = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return
    lines = source.decode("utf-8", "replace").splitlines(True)
    fast = lint_tree(tree, shown, lines, cfg)
    plain = reference_findings(tree, shown, lines, cfg)
    assert fast == plain, shown


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_are_those_of_the_plain_walk(path):
    assert_same(path, str(path), config())


#: The default run compares every SAMPLE_STEP-th module; ``--exhaustive`` (CI) compares them all.
SAMPLE_STEP = 3


def stdlib_at_a_services_path_matches_the_plain_walk(step: int) -> None:
    cfg = config()
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    assert len(files) > 500
    for path in files[::step]:
        assert_same(path, "app/services/" + path.relative_to(STDLIB).as_posix(), cfg)


def test_stdlib_sample_at_a_services_path_findings_are_those_of_the_plain_walk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project around: nothing is read from this checkout
    stdlib_at_a_services_path_matches_the_plain_walk(SAMPLE_STEP)


@pytest.mark.exhaustive
def test_stdlib_at_a_services_path_findings_are_those_of_the_plain_walk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stdlib_at_a_services_path_matches_the_plain_walk(1)


def test_checking_a_file_leaves_no_reference_cycle():
    """With no cycle per file, the collector may stay off during a run (runner.run)."""
    cfg = config()
    files = fixture_files() + sorted(STDLIB.glob("asyncio/*.py"))
    trees = [(p, ast.parse(p.read_bytes()), p.read_text(encoding="utf-8").splitlines(True))
             for p in files]
    lint_tree(trees[0][1], str(trees[0][0]), trees[0][2], cfg)  # caches filled once
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for path, tree, lines in trees:
            lint_tree(tree, "app/services/" + path.name, lines, cfg)
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


TRICKY_NOQA_SOURCE = '''\
x = """first
second"""  # noqa: DDD001
y = 1 + \\
    2  # noqa
z = f"""{x}
{y}"""  # noqa: DDD002
call(
    "a"  # noqa: DDD003
    "b",
)
s = "one \\
two"  # noqa
# a comment ending in a backslash \\
t = 3  # NOQA:DDD004
def f():
    """Docstring.

    noqa in a docstring
    """
    return b"""bytes
"""
'''


def noqa_text_cases() -> List[List[str]]:
    cases = [io.StringIO(TRICKY_NOQA_SOURCE, newline="\n").readlines()]
    for path in sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)[::10]:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        cases.append(io.StringIO(text, newline="\n").readlines())
    return cases


def test_noqa_lines_skip_the_tokenizer_only_where_it_would_say_the_line_alone():
    """``NoqaLines`` with the tree reads a line's own text wherever the tokenizer's group is
    that line alone (the tokenizer runs for findings next to a possibly joined line end)."""
    checked = 0
    for lines in noqa_text_cases():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                tree = ast.parse("".join(lines))
            except (SyntaxError, ValueError):
                continue
        mapping = noqa_line_map(lines)
        noqa = NoqaLines(lines, tree)
        for number in range(1, len(lines) + 1):
            if not noqa._may_join(number):
                assert mapping.get(number, lines[number - 1]) == lines[number - 1], (lines[:3], number)
                checked += 1
    assert checked > 10000


def test_noqa_lines_with_and_without_the_tree_silence_alike():
    lines = io.StringIO(TRICKY_NOQA_SOURCE, newline="\n").readlines()
    tree = ast.parse("".join(lines))
    for code in ("DDD001", "DDD002", "DDD003", "DDD004", "E501"):
        for number in range(1, len(lines) + 1):
            assert (NoqaLines(lines, tree).silences(code, number)
                    == NoqaLines(lines).silences(code, number)), (code, number)
    assert NoqaLines(lines, tree).silences("DDD001", 1)  # the string's first line
    assert not NoqaLines(lines, tree).silences("DDD003", 9)  # brackets do not join lines


def findings_of(code: str, source: str, filename: str = "app/user/services/user.py") -> List[int]:
    return [f.line for f in lint_source(textwrap.dedent(source), filename) if f.code == code]


def test_an_answer_kept_per_called_name_yields_to_a_function_s_own_import():
    # DDD002 keeps its answer per dotted name while no function has imports of its own.
    assert findings_of("DDD002", """\
        from app.user.errors import NotFound

        def before():
            raise NotFound()

        def shadowing():
            from fastapi import HTTPException as NotFound
            raise NotFound(404)

        def after():
            raise NotFound()
        """) == [8]


def test_a_factory_kept_per_called_name_is_still_not_reported_where_a_parameter_shadows_it():
    # DDD603 keeps a called name's answer per file; whether a parameter shadows it is per call.
    assert findings_of("DDD603", """\
        from app.core.database import SessionLocal

        def opens():
            return SessionLocal()

        def receives(SessionLocal):
            return SessionLocal()

        def opens_again():
            return SessionLocal()
        """) == [4, 10]
