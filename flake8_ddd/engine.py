"""The single walk: every active rule's handlers are dispatched from one pass over the tree."""

from __future__ import annotations

import ast
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple, Type

from flake8_ddd.context import FileContext
from flake8_ddd.layers import Location, locate_file
from flake8_ddd.options import Config
from flake8_ddd.patterns import pattern_rules_for, run_pattern_rules
from flake8_ddd.diagnostics import Finding, internal_error
from flake8_ddd.rule import Rule
from flake8_ddd.registry import all_rules

Handler = Tuple[Rule, Callable[[ast.AST], None]]


class _Marker:
    """An entry on the walk's stack that is not a node."""


#: Leave the node below the marker on the stack.
_LEAVE = _Marker()
#: Push the function below the marker on ``function_stack``: its body starts.
_BODY_START = _Marker()
#: Pop ``function_stack``: the body of its innermost function ends.
_BODY_END = _Marker()


def enabled_rules(config: Config, rules: Optional[Sequence[Type[Rule]]] = None) -> Tuple[Type[Rule], ...]:
    """Rules switched on by the configuration (opt-in ones only when selected by name/group)."""
    return tuple(r for r in (all_rules() if rules is None else rules)
                 if config.enables(r))


def rules_for(location: Location, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    if location.is_test:
        return []
    return [r for r in rules if r.applies_to(location)]


class Walk:
    """One pass over a module, calling the handlers of the rules that apply to this file.

    Enter handlers run in the order of a plain recursive pre-order walk (children in
    ``ast.iter_child_nodes`` order), leave handlers in post-order. A function is on
    ``ctx.function_stack`` exactly while its body is walked: its decorators, defaults and
    annotations are evaluated outside it. Imports inside a function are given to the context
    as that function's own; module-level ones come from the context's scan. A rule that
    raises is reported once as DDD000, its other handlers are skipped and its findings
    dropped; the other rules are not affected.
    """

    def __init__(self, ctx: FileContext, rule_classes: Sequence[Type[Rule]]) -> None:
        self.ctx = ctx
        self.rules = [cls(ctx) for cls in rule_classes]
        self.failed: Set[Rule] = set()
        self.failures: List[Finding] = []
        self._build_dispatch()

    def _build_dispatch(self) -> None:
        self.enter: Dict[type, List[Handler]] = {}
        self.leave: Dict[type, List[Handler]] = {}
        for rule in self.rules:
            for node_type, names in rule.enter_handlers.items():
                self.enter.setdefault(node_type, []).extend((rule, getattr(rule, n)) for n in names)
            for node_type, names in rule.leave_handlers.items():
                self.leave.setdefault(node_type, []).extend((rule, getattr(rule, n)) for n in names)

    def _fail(self, rule: Rule, error: BaseException) -> None:
        """A rule raised: one DDD000, and the rule is skipped from now on."""
        self.failed.add(rule)
        self.failures.append(internal_error(rule.code, error))

    def _call(self, handlers: List[Handler], node: ast.AST) -> None:
        """Call each handler of a rule that has not failed; a rule that raises fails."""
        failed = self.failed
        for rule, handler in handlers:
            if not (failed and rule in failed):
                try:
                    handler(node)
                except Exception as error:  # a rule's bug must never take flake8 down
                    self._fail(rule, error)

    def run(self) -> List[Finding]:
        self._walk()
        for rule in self.rules:
            if rule not in self.failed:
                try:
                    rule.finish()
                except Exception as error:  # a rule's bug must never take flake8 down
                    self._fail(rule, error)
        return [f for rule in self.rules if rule not in self.failed for f in rule.findings] + self.failures

    def _walk(self) -> None:
        # The hot loop of the whole linter (every node of every file passes here once), so it
        # is written out by hand: children are read from ``_fields`` directly rather than via
        # ``ast.iter_child_nodes``, and leaf nodes that no handler wants (``Load``, ``Store``,
        # operators) are never pushed. tests/test_engine_walk.py checks the order against a
        # plain recursive walk.
        ctx, call = self.ctx, self._call
        enter, leave = self.enter, self.leave
        skip = _LEAF_TYPES.difference(enter, leave)
        function_stack = ctx.function_stack
        AST, Marker = ast.AST, _Marker
        Import, ImportFrom = ast.Import, ast.ImportFrom
        FunctionDef, AsyncFunctionDef = ast.FunctionDef, ast.AsyncFunctionDef
        stack: List[object] = [ctx.tree]
        push, pop = stack.append, stack.pop
        while stack:
            node = pop()
            node_type = type(node)
            if node_type is Marker:
                if node is _LEAVE:
                    done = pop()
                    call(leave[type(done)], done)
                elif node is _BODY_START:
                    function_stack.append(pop())  # type: ignore[arg-type]
                else:
                    function_stack.pop()
                continue
            if (node_type is Import or node_type is ImportFrom) and function_stack:
                ctx.add_local_import(node)  # type: ignore[arg-type]
            handlers = enter.get(node_type)
            if handlers:
                call(handlers, node)
            if node_type in leave:
                push(node)
                push(_LEAVE)
            if node_type is FunctionDef or node_type is AsyncFunctionDef:
                _push_function_children(node, push, skip)  # type: ignore[arg-type]
                continue
            for name in reversed(node._fields):  # type: ignore[attr-defined]
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in reversed(value):
                        if isinstance(child, AST) and type(child) not in skip:
                            push(child)
                elif isinstance(value, AST) and type(value) not in skip:
                    push(value)


def _push_function_children(node: ast.AST, push: Callable[[object], None], skip: FrozenSet[type]) -> None:
    """A function's children, as the walk pushes any node's, with its body between a
    ``_BODY_START`` and a ``_BODY_END`` marker."""
    for name in reversed(node._fields):
        value = getattr(node, name, None)
        if name == "body":
            push(_BODY_END)
        if type(value) is list:
            for child in reversed(value):
                if isinstance(child, ast.AST) and type(child) not in skip:
                    push(child)
        elif isinstance(value, ast.AST) and type(value) not in skip:
            push(value)
        if name == "body":
            push(node)
            push(_BODY_START)


#: Node classes that never have children (expression contexts, operators): skipped by the walk
#: unless a rule handles them.
_LEAF_TYPES = frozenset(
    cls for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.AST) and not cls._fields
    and cls.__module__ == "ast" and cls is not ast.AST)


def lint_tree(tree: ast.AST, filename: str, lines: Sequence[str], config: Config,
              rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Findings for one parsed file; the tree is not walked when no enabled rule applies,
    and ast-grep does not parse it when no pattern rule applies."""
    location = locate_file(filename, config.layer, lines)
    active = rules_for(location, enabled_rules(config, rules))
    if any(rule.required_words for rule in active):
        text = "".join(lines)
        active = [rule for rule in active
                  if not rule.required_words or any(word in text for word in rule.required_words)]
    patterns = pattern_rules_for(location, config.pattern_rules) if config.pattern_rules else ()
    # Rules with ``after_walk`` (DDD010) judge the other rules' findings, after the walk.
    after = [rule for rule in active if hasattr(rule, "after_walk")]
    active = [rule for rule in active if not hasattr(rule, "after_walk")]
    if not active and not patterns and not after:
        return []
    findings: List[Finding] = []
    if active:
        try:
            findings = Walk(FileContext(tree, filename, lines, config, location), active).run()
        except Exception as error:  # shared facts failed: no rule could run on this file
            findings = [internal_error("flake8-ddd", error)]
    if patterns:
        findings += run_pattern_rules(patterns, "".join(lines))
    for rule in after:
        try:
            findings += rule.after_walk(lines, findings)  # type: ignore[attr-defined]
        except Exception as error:  # a rule's bug must never take flake8 down
            findings.append(internal_error(rule.code, error))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def lint_source(source: str, filename: str, config: Optional[Config] = None,
                rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Parse and lint source text (raises SyntaxError for invalid Python)."""
    tree = ast.parse(source, filename)
    return lint_tree(tree, filename, source.splitlines(True), config or Config(), rules)
