"""Hypothesis properties of the whole rule pack."""

from __future__ import annotations

import ast
import builtins
import copy
import fnmatch
import re
from typing import Dict, List, Set, Tuple

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_ddd.engine import lint_tree
from flake8_ddd.options import SESSION_NAMES
from flake8_ddd.registry import all_rules
from flake8_ddd.rule import Scope
from harness import FIXTURES, SAMPLE_PATHS, config, expectations, fixture_files

CFG = config()
LAYER_FREE_CODES = {r.code for r in all_rules() if r.scope is Scope.ANY_FILE}
VIOLATING = [p for p in fixture_files() if expectations(p.read_text(encoding="utf-8"))]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def findings_at(tree: ast.AST, lines: List[str], path: str) -> Set[Tuple[int, str]]:
    return {(f.line, f.code) for f in lint_tree(tree, str(FIXTURES / path), lines, CFG)}


def assert_never_fails(source: str, path: str) -> None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
    found = lint_tree(tree, str(FIXTURES / path), source.splitlines(True), CFG)
    assert not [f for f in found if f.code == "DDD000"]


@FAST
@given(source=hypothesmith.from_grammar(), path=st.sampled_from(SAMPLE_PATHS))
def test_generated_programs_never_make_the_plugin_fail(source, path):
    assert_never_fails(source, path)


@FAST
@given(source=hypothesmith.from_node(), path=st.sampled_from(SAMPLE_PATHS))
def test_generated_syntax_trees_never_make_the_plugin_fail(source, path):
    assert_never_fails(source, path)


NON_LAYER_DIRS = st.sampled_from(["scripts", "misc", "tools", "legacy", "lib", "utils", "helpers"])
NON_LAYER_STEMS = st.from_regex(r"\Amod_[a-z]{1,8}\Z")


@settings(max_examples=40, deadline=None)
@given(fixture=st.sampled_from(VIOLATING), first=NON_LAYER_DIRS, second=NON_LAYER_DIRS,
       stem=NON_LAYER_STEMS)
def test_moving_a_violating_file_out_of_its_layer_keeps_only_layer_free_findings(
        fixture, first, second, stem):
    source = fixture.read_text(encoding="utf-8")
    tree, lines = ast.parse(source), source.splitlines(True)
    original = findings_at(tree, lines, str(fixture.relative_to(FIXTURES)))
    moved = findings_at(tree, lines, f"{first}/{second}/{stem}.py")
    layer_free = {(line, code) for line, code in original if code in LAYER_FREE_CODES}
    # DDD005 reports anywhere in the routes layer as well as in route handlers anywhere;
    # DDD606 reports layer code that lost its layer, at line 1; DDD009 reports HTTP exception
    # classes everywhere but in the routes and dependencies layers.
    assert {(line, code) for line, code in moved if code not in ("DDD606", "DDD009")} <= layer_free
    assert {(line, code) for line, code in layer_free if code != "DDD005"} <= moved


def _session_like(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in SESSION_NAMES.default)


class Renamer(ast.NodeTransformer):
    """Renames plain local variables and import aliases; keeps every other name."""

    def __init__(self, mapping: Dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        self.generic_visit(node)
        if node.arg in self.mapping:
            node.arg = self.mapping[node.arg]
        return node

    def visit_alias(self, node: ast.alias) -> ast.AST:
        bound = node.asname or node.name
        if bound in self.mapping:
            node.asname = self.mapping[bound]
        return node


KEEP = {"self", "cls"} | set(dir(builtins))
PLAIN = re.compile(r"^[a-z][a-z0-9_]*$")


def renamable(tree: ast.AST) -> List[str]:
    """Names safe to rename: every import alias, and plain locals with no meaning to a rule.

    Rules resolve imported names to their qualified names, so an alias never matters; a local
    name matters only when it is session-like, carries a suffix a rule reads (``*Service``) or
    is a class attribute (a schema field such as ``created_at``).
    """
    imported: Set[str] = set()
    local: Set[str] = set()
    class_attributes: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (statement.targets if isinstance(statement, ast.Assign)
                           else [statement.target] if isinstance(statement, ast.AnnAssign) else [])
                class_attributes.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.alias) and node.name != "*" and "." not in node.name:
            imported.add(node.asname or node.name)
    local = {n for n in local - imported - class_attributes if PLAIN.match(n)
             and not _session_like(n) and not n.endswith("_service")}
    return sorted(n for n in imported | local if n not in KEEP and not _session_like(n))


@settings(max_examples=40, deadline=None)
@given(fixture=st.sampled_from(VIOLATING), data=st.data())
def test_renaming_variables_and_import_aliases_keeps_findings(fixture, data):
    source = fixture.read_text(encoding="utf-8")
    tree, lines = ast.parse(source), source.splitlines(True)
    candidates = renamable(tree)
    assume(candidates)
    chosen = data.draw(st.lists(st.sampled_from(candidates), min_size=1, unique=True))
    mapping = {name: f"renamed_{i}_{name.lower()[:3]}x" for i, name in enumerate(chosen)}
    renamed = Renamer(mapping).visit(copy.deepcopy(tree))
    path = str(fixture.relative_to(FIXTURES))
    assert findings_at(renamed, lines, path) == findings_at(tree, lines, path)


@pytest.mark.parametrize("layer_path", SAMPLE_PATHS)
def test_empty_and_odd_files(layer_path):
    for source in ("", "\n", "#!/usr/bin/env python\n", "x = 1", "'''doc'''\n", "pass\n" * 3):
        assert findings_at(ast.parse(source), source.splitlines(True), layer_path) == set()


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_required_words_never_change_findings(fixture, monkeypatch):
    """The text pre-filter only skips rules that could not find anything in the file."""
    source = fixture.read_text(encoding="utf-8")
    tree, lines = ast.parse(source), source.splitlines(True)
    path = str(fixture.relative_to(FIXTURES))
    filtered = findings_at(tree, lines, path)
    for rule in all_rules():
        monkeypatch.setattr(rule, "required_words", ())
    assert findings_at(tree, lines, path) == filtered
