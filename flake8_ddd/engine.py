"""The single walk: every active rule's handlers are dispatched from one pass over the tree."""

from __future__ import annotations

import ast
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Type

from flake8_ddd.context import FunctionNode, FileContext
from flake8_ddd.layers import Location, locate_file
from flake8_ddd.options import Config
from flake8_ddd.patterns import pattern_rules_for, run_pattern_rules
from flake8_ddd.registry import INTERNAL_ERROR_CODE, Finding, Rule, all_rules

Handler = Tuple[Rule, Callable[[ast.AST], None]]
_LEAVE = object()


def enabled_rules(config: Config, rules: Optional[Sequence[Type[Rule]]] = None) -> Tuple[Type[Rule], ...]:
    """Rules switched on by the configuration (opt-in ones only when selected by name/group)."""
    return tuple(r for r in (all_rules() if rules is None else rules)
                 if not r.opt_in or config.opt_in_enabled(r.code))


def rules_for(location: Location, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    if location.is_test:
        return []
    return [r for r in rules if r.applies_to(location.layers)]


class Walk:
    """One pass over a module, calling the handlers of the rules that apply to this file."""

    def __init__(self, ctx: FileContext, rule_classes: Sequence[Type[Rule]]) -> None:
        self.ctx = ctx
        self.rules = [cls(ctx) for cls in rule_classes]
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
        text = f"{type(error).__name__}: {error}".replace("\n", " ")
        self.failures.append(Finding(1, 0, INTERNAL_ERROR_CODE,
                                     f"{INTERNAL_ERROR_CODE} internal error in {rule.code}: {text}"))
        self.rules.remove(rule)
        self._build_dispatch()

    def _call(self, handlers: List[Handler], node: ast.AST) -> None:
        for rule, handler in list(handlers):
            try:
                handler(node)
            except Exception as error:  # a rule's bug must never take flake8 down
                self._fail(rule, error)

    def run(self) -> List[Finding]:
        ctx = self.ctx
        enter, leave = self.enter, self.leave
        stack: List[object] = [ctx.tree]
        while stack:
            node = stack.pop()
            if node is _LEAVE:
                done = stack.pop()
                handlers = leave.get(type(done))
                if handlers:
                    self._call(handlers, done)  # type: ignore[arg-type]
                if isinstance(done, FunctionNode):
                    ctx.function_stack.pop()
                continue
            node_type = type(node)
            if node_type is ast.Import or node_type is ast.ImportFrom:
                ctx.add_import(node)  # type: ignore[arg-type]
            handlers = enter.get(node_type)
            if handlers:
                self._call(handlers, node)  # type: ignore[arg-type]
            is_function = node_type is ast.FunctionDef or node_type is ast.AsyncFunctionDef
            if is_function or node_type in leave:
                if is_function:
                    ctx.function_stack.append(node)  # type: ignore[arg-type]
                stack.append(node)
                stack.append(_LEAVE)
            children = list(ast.iter_child_nodes(node))  # type: ignore[arg-type]
            children.reverse()
            stack.extend(children)
            enter, leave = self.enter, self.leave
        for rule in list(self.rules):
            try:
                rule.finish()
            except Exception as error:
                self._fail(rule, error)
        return [f for rule in self.rules for f in rule.findings] + self.failures


def lint_tree(tree: ast.AST, filename: str, lines: Sequence[str], config: Config,
              rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Findings for one parsed file; the tree is not walked when no enabled rule applies,
    and ast-grep does not parse it when no pattern rule applies."""
    location = locate_file(filename, config.layer, lines)
    active = rules_for(location, enabled_rules(config, rules))
    patterns = pattern_rules_for(location, config.pattern_rules) if config.pattern_rules else ()
    if not active and not patterns:
        return []
    findings: List[Finding] = []
    if active:
        ctx = FileContext(tree, filename, lines, config, location)
        findings = Walk(ctx, active).run()
    if patterns:
        findings += run_pattern_rules(patterns, "".join(lines))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def lint_source(source: str, filename: str, config: Optional[Config] = None,
                rules: Optional[Sequence[Type[Rule]]] = None) -> List[Finding]:
    """Parse and lint source text (raises SyntaxError for invalid Python)."""
    tree = ast.parse(source, filename)
    return lint_tree(tree, filename, source.splitlines(True), config or Config(), rules)
