"""Rule discovery: the rules registered in the ``flake8_ddd.rules`` entry-point group, and the
options they declare.

The entry points are read from the ``entry_points.txt`` of every distribution on ``sys.path``
(:func:`scan_entry_points`), as :mod:`importlib.metadata` finds them, without importing it:
that import alone took a fifth of the start-up of ``flake8-ddd check``. A ``sys.path`` entry
the scan does not read (a zip archive) hands the work back to :mod:`importlib.metadata`.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple, Type

from flake8_ddd.option import Option
from flake8_ddd.options import GLOBAL_OPTIONS
from flake8_ddd.rule import Rule
from flake8_ddd.source_files import NotReadable, read_file

ENTRY_POINT_GROUP = "flake8_ddd.rules"
_METADATA_DIRECTORY = re.compile(r"(?P<name>[^-]+)(?:-.*)?\.(?P<kind>dist-info|egg-info)")


class FoundEntryPoint(NamedTuple):
    """An entry point as ``importlib.metadata.EntryPoint`` has it: name, value, loadable."""

    name: str
    value: str
    dist_name: str

    def load(self) -> Any:
        module, _, attributes = self.value.partition(":")
        found = importlib.import_module(module.strip())
        for attribute in attributes.split("[")[0].strip().split(".") if attributes else ():
            found = getattr(found, attribute)
        return found


def scan_entry_points(group: str) -> Optional[List[FoundEntryPoint]]:
    """The entry points of ``group`` of the distributions on ``sys.path`` (the first one of each
    name, ``.dist-info`` before ``.egg-info`` in a directory, as importlib.metadata); None when
    a ``sys.path`` entry is not a directory this scan reads."""
    found: List[FoundEntryPoint] = []
    seen = set()
    for entry in sys.path:
        directory = entry or "."
        if os.path.isfile(directory):
            return None
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        metadata = [m for m in map(_METADATA_DIRECTORY.fullmatch, names) if m]
        for match in sorted(metadata, key=lambda m: m.group("kind") == "egg-info"):
            dist = re.sub(r"[-_.]+", "_", match.group("name")).lower()
            if dist in seen:
                continue
            seen.add(dist)
            text = _read_text(os.path.join(directory, match.group(0), "entry_points.txt"))
            found.extend(FoundEntryPoint(name, value, match.group("name"))
                         for name, value in _section_pairs(text, group))
    return found


def _read_text(path: str) -> str:
    try:
        return read_file(path).decode("utf-8")
    except (NotReadable, UnicodeDecodeError):  # a missing file is NotReadable too
        return ""


def _section_pairs(text: str, group: str) -> Iterable[Tuple[str, str]]:
    """``name = value`` lines of the ``[group]`` section (comments and blank lines skipped)."""
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            yield name.strip(), value.strip()


def entry_points(group: str) -> Iterable[Any]:
    scanned = scan_entry_points(group)
    if scanned is not None:
        return scanned
    from importlib.metadata import entry_points as metadata_entry_points  # a zip on sys.path

    if sys.version_info >= (3, 10):
        return metadata_entry_points(group=group)
    return metadata_entry_points().get(group, [])  # Python 3.9


class RegistryError(TypeError):
    """An entry point of the group that cannot be a rule; the message is one line."""


def _describe(entry_point: Any) -> str:
    value = getattr(entry_point, "value", "?")
    dist = (getattr(entry_point, "dist_name", None)
            or getattr(getattr(entry_point, "dist", None), "name", None))
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
