"""Rule discovery: the rules registered in the ``flake8_ddd.rules`` entry-point group."""

from __future__ import annotations

import sys
from typing import Dict, Optional, Tuple, Type

from flake8_ddd.options import Option
from flake8_ddd.rule import Rule

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover - exercised on 3.9 only
    from importlib.metadata import entry_points as _entry_points

    def entry_points(group: str):  # type: ignore[no-redef]
        return _entry_points().get(group, [])

ENTRY_POINT_GROUP = "flake8_ddd.rules"


def load_rules() -> Tuple[Type[Rule], ...]:
    """Every rule registered in the ``flake8_ddd.rules`` entry-point group, sorted by code."""
    found: Dict[str, Type[Rule]] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        rule = entry_point.load()
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            raise TypeError(f"entry point {entry_point.name} is not a flake8_ddd Rule")
        if rule.code != entry_point.name:
            raise TypeError(f"entry point {entry_point.name} names rule {rule.code}")
        found[rule.code] = rule
    return tuple(found[code] for code in sorted(found))


_RULES: Optional[Tuple[Type[Rule], ...]] = None


def all_rules() -> Tuple[Type[Rule], ...]:
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return _RULES


def rule_by_code(code: str) -> Optional[Type[Rule]]:
    return next((r for r in all_rules() if r.code == code.upper()), None)


def all_options() -> Tuple[Option, ...]:
    """Global options followed by every rule's own options, each once."""
    from flake8_ddd.options import GLOBAL_OPTIONS

    seen: Dict[str, Option] = {o.name: o for o in GLOBAL_OPTIONS}
    for rule in all_rules():
        for option in rule.options:
            seen.setdefault(option.name, option)
    return tuple(seen.values())
