"""Rule discovery: the rules registered in the ``flake8_ddd.rules`` entry-point group, and the
options they declare."""

from __future__ import annotations

import sys
from typing import Any, Dict, Iterable, Optional, Tuple, Type

from flake8_ddd.option import Option
from flake8_ddd.options import GLOBAL_OPTIONS
from flake8_ddd.rule import Rule

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover - exercised on 3.9 only
    from importlib.metadata import entry_points as _entry_points

    def entry_points(group: str):  # type: ignore[no-redef]
        return _entry_points().get(group, [])

ENTRY_POINT_GROUP = "flake8_ddd.rules"


class RegistryError(TypeError):
    """An entry point of the group that cannot be a rule; the message is one line."""


def _describe(entry_point: Any) -> str:
    value = getattr(entry_point, "value", "?")
    dist = getattr(getattr(entry_point, "dist", None), "name", None)
    return f"{entry_point.name} = {value}" + (f" (from {dist})" if dist else "")


def load_rules(found_entry_points: Optional[Iterable[Any]] = None) -> Tuple[Type[Rule], ...]:
    """Every rule registered in the ``flake8_ddd.rules`` entry-point group, sorted by code.

    ``found_entry_points`` default to the installed ones. Two entry points giving the same
    code are an error naming both (the same class found twice, as when one installation is
    seen through two paths, is one rule).
    """
    if found_entry_points is None:
        found_entry_points = entry_points(group=ENTRY_POINT_GROUP)
    found: Dict[str, Tuple[Type[Rule], Any]] = {}
    for entry_point in found_entry_points:
        rule = entry_point.load()
        if not (isinstance(rule, type) and issubclass(rule, Rule)):
            raise RegistryError(f"entry point {_describe(entry_point)} is not a flake8_ddd Rule")
        if rule.code != entry_point.name:
            raise RegistryError(f"entry point {_describe(entry_point)} names rule {rule.code}")
        if rule.code in found and found[rule.code][0] is not rule:
            raise RegistryError(f"code {rule.code} is registered twice: by entry point "
                                f"{_describe(found[rule.code][1])} and by entry point "
                                f"{_describe(entry_point)}")
        found[rule.code] = (rule, entry_point)
    return tuple(found[code][0] for code in sorted(found))


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
    seen: Dict[str, Option] = {o.name: o for o in GLOBAL_OPTIONS}
    for rule in all_rules():
        for option in rule.options:
            seen.setdefault(option.name, option)
    return tuple(seen.values())
