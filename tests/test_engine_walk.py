"""The walk: handler order, the function stack, imports scoped to functions, failing rules.

The walk is written out by hand for speed; these tests hold it to a plain recursive walk on
real files (the standard library's ``ast.py`` and ``asyncio/base_events.py``, and every
fixture). DDD503 depends on the order (a call is seen before the ``await`` around it is left).
"""

from __future__ import annotations

import ast
import asyncio.base_events
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Type

import pytest

from flake8_ddd.context import FileContext
from flake8_ddd.engine import Walk, lint_source, lint_tree
from flake8_ddd.registry import all_rules
from flake8_ddd.rule import Rule, Scope, on, on_leave
from harness import FIXTURES, deep_enough, TEST_RULE_DOC, config, fixture_files

#: The reference walks recurse: deep standard-library modules need a higher recursion limit.
pytestmark = pytest.mark.usefixtures(deep_enough.__name__)

NODE_TYPES = tuple(cls for cls in vars(ast).values()
                   if isinstance(cls, type) and issubclass(cls, ast.AST) and cls is not ast.AST)
#: Node types with children: a recorder of only these lets the walk skip leaf nodes.
INNER_TYPES = tuple(cls for cls in NODE_TYPES if cls._fields)
STDLIB_FILES = [Path(ast.__file__), Path(asyncio.base_events.__file__)]
#: One event per handler call: ("enter" or "leave", node, innermost function or None).
Event = Tuple[str, ast.AST, Optional[ast.AST]]


def recorder(node_types: Sequence[type]) -> Type[Rule]:
    """A rule with enter and leave handlers for ``node_types`` that records every call."""

    class Recorder(Rule):
        __doc__ = TEST_RULE_DOC
        code = "DDD898"
        message = "never reported"
        scope = Scope.ANY_FILE
        since = "0.1.0"

        def __init__(self, ctx: FileContext) -> None:
            super().__init__(ctx)
            self.events: List[Event] = []

        @on(*node_types)
        def entered(self, node: ast.AST) -> None:
            self.events.append(("enter", node, self.ctx.current_function))

        @on_leave(*node_types)
        def left(self, node: ast.AST) -> None:
            self.events.append(("leave", node, self.ctx.current_function))

    return Recorder


def walked(tree: ast.AST, path: str, node_types: Sequence[type]) -> List[Event]:
    ctx = FileContext(tree, path, [], config())
    walk = Walk(ctx, [recorder(node_types)])
    walk.run()
    assert ctx.function_stack == []
    return walk.rules[0].events  # type: ignore[attr-defined]


def reference(node: ast.AST, functions: Tuple[ast.AST, ...] = ()) -> List[Event]:
    """Pre-order enter and post-order leave events of a plain recursive walk. A function is
    the current one only inside its body (decorators, defaults, annotations are outside)."""
    current = functions[-1] if functions else None
    events: List[Event] = [("enter", node, current)]
    body = set(map(id, node.body)) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    for child in ast.iter_child_nodes(node):
        events += reference(child, functions + (node,) if id(child) in body else functions)
    events.append(("leave", node, current))
    return events


def keyed(events: List[Event], node_types: Sequence[type]) -> List[Tuple[str, int, Optional[int]]]:
    wanted = tuple(node_types)
    return [(kind, id(node), id(function) if function is not None else None)
            for kind, node, function in events if isinstance(node, wanted)]


def sample_files() -> List[Path]:
    return STDLIB_FILES + fixture_files()


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: p.name if p in STDLIB_FILES
                         else str(p.relative_to(FIXTURES)))
@pytest.mark.parametrize("node_types", [NODE_TYPES, INNER_TYPES], ids=["all-nodes", "inner-nodes"])
def test_walk_order_is_the_plain_recursive_order(path, node_types):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    expected = keyed(reference(tree), node_types)
    assert keyed(walked(tree, str(path), node_types), node_types) == expected


FUNCTIONS = """\
def decorator(x):
    return x


@decorator(marker_in_decorator())
def outer(a=marker_in_default(), *, b: marker_in_annotation() = 1) -> marker_in_return():
    marker_in_body()

    def inner():
        marker_in_inner()
    marker_after_inner()


marker_at_module_level()
"""


def test_a_function_is_current_only_inside_its_body():
    tree = ast.parse(FUNCTIONS)
    seen = {}
    for kind, node, function in walked(tree, "app/main.py", [ast.Call]):
        if kind == "enter" and isinstance(node.func, ast.Name) and node.func.id.startswith("marker_"):
            seen[node.func.id] = function.name if function is not None else None
    assert seen == {
        "marker_in_decorator": None, "marker_in_default": None, "marker_in_annotation": None,
        "marker_in_return": None, "marker_in_body": "outer", "marker_in_inner": "inner",
        "marker_after_inner": "outer", "marker_at_module_level": None}


LOCAL_IMPORTS = """\
from fastapi import HTTPException


def handler():
    from app.errors import HTTPException
    raise HTTPException(status_code=500)


def inner_import_seen_by_nested_function():
    from fastapi import HTTPException as E

    def nested():
        raise E(status_code=500)


def after():
    raise HTTPException(status_code=500)


raise E(status_code=500)
"""


def test_function_local_imports_are_scoped_to_their_function():
    lines = {(f.line, f.code) for f in lint_source(LOCAL_IMPORTS, "app/main.py", config())
             if f.code == "DDD006"}
    # line 6: the local import shadows fastapi's; line 13: seen by a nested function;
    # line 17: the module-level import again; line 20: E never leaks out of its function.
    assert lines == {(13, "DDD006"), (17, "DDD006")}


class Failing(Rule):
    __doc__ = TEST_RULE_DOC
    code = "DDD897"
    message = "never reported"
    scope = Scope.ANY_FILE
    since = "0.1.0"

    @on(ast.Call, ast.Name)
    def explode(self, node: ast.AST) -> None:
        self.report(node)
        raise RuntimeError("boom")

    @on_leave(ast.Call)
    def explode_again(self, node: ast.AST) -> None:
        raise RuntimeError("boom again")

    def finish(self) -> None:
        raise RuntimeError("boom at the end")


class FailingAtTheEnd(Failing):
    __doc__ = TEST_RULE_DOC
    code = "DDD896"
    explode = explode_again = None  # type: ignore[assignment]


@pytest.mark.parametrize("failing", [Failing, FailingAtTheEnd])
@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_failing_rule_is_one_ddd000_and_the_others_are_unchanged(path, failing):
    source = path.read_text(encoding="utf-8")
    tree, lines, cfg = ast.parse(source), source.splitlines(True), config()
    alone = lint_tree(tree, str(path), lines, cfg, rules=all_rules())
    together = lint_tree(tree, str(path), lines, cfg, rules=[*all_rules(), failing])
    failures = [f for f in together if f.code == "DDD000"]
    assert len(failures) == 1 and failures[0].message.startswith(f"DDD000 internal error in {failing.code}")
    assert [f for f in together if f.code != "DDD000"] == alone
