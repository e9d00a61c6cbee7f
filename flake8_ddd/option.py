"""One option: its declaration, the list splitter every option value goes through, ConfigError.

Every flake8-ddd option is a list of items. A value written as text (``setup.cfg``, ``tox.ini``,
``.flake8``, the command line, a TOML string) is split by :func:`split_list` on commas and
newlines only, so whitespace inside an item (a glob such as ``app/my dir/*.py``) never splits
it; a TOML list is taken item by item. A malformed item raises :class:`ConfigError` with one
line naming the option and the accepted form.

This module imports nothing of the package but ``layers``: the rules, the option declarations,
the pattern rules and both entry points import it.
"""

from __future__ import annotations

import re
from typing import Any, Callable, List, NamedTuple, Tuple

from flake8_ddd.layers import parse_layer_names

#: What separates the items of a list written as text.
LIST_SEPARATOR = re.compile(r"[,\n]")
NAME = re.compile(r"^[A-Za-z_*?][A-Za-z0-9_*?.\[\]-]*$")


class ConfigError(Exception):
    """A configuration value that cannot be used; the message is one line for the user."""


def split_list(value: Any) -> List[str]:
    """The items of a list option: text split on commas and newlines, a list item by item;
    items stripped, blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        items = LIST_SEPARATOR.split(value)
    else:
        items = [str(item) for item in value]
    return [item.strip() for item in items if item.strip()]


def split_codes(value: Any) -> List[str]:
    """A list of error codes or prefixes: :func:`split_list`, and since a code is one word,
    whitespace separates codes too (``select = E W DDD``, as flake8 reads it)."""
    return [code for item in split_list(value) for code in item.split()]


def check_name(item: str) -> None:
    if not NAME.match(item):
        raise ValueError(item)


def check_layer_pair(item: str) -> None:
    key, sep, value = item.rpartition("=")
    if not sep or not key.strip():
        raise ValueError(item)
    parse_layer_names(value)


def check_nothing(item: str) -> None:
    """Any item is valid (paths)."""


def glob_problem(pattern: str) -> str:
    """Why ``pattern`` is not a usable glob ('' when it is): an unclosed ``[`` (fnmatch would
    silently match it literally) or nothing at all."""
    if not pattern.strip():
        return "an empty glob"
    depth = 0
    for char in pattern:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    return "an unclosed [" if depth else ""


def check_glob(item: str) -> None:
    if glob_problem(item):
        raise ValueError(item)


def check_glob_layer_pair(item: str) -> None:
    """``GLOB=LAYER[+LAYER]`` with a well-formed glob."""
    check_layer_pair(item)
    check_glob(item.rpartition("=")[0])


class Option(NamedTuple):
    """One option: its name, default items, help, the accepted form in words and the check
    every item goes through."""

    name: str
    default: Tuple[str, ...]
    help: str
    form: str = "a comma-separated list of names"
    check_item: Callable[[str], None] = check_name

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def flag(self) -> str:
        return "--" + self.name

    def parse(self, raw: Any) -> Tuple[str, ...]:
        """The option's items from a raw value (None: the default)."""
        if raw is None:
            return self.default
        if not isinstance(raw, (str, list, tuple)):
            raise ConfigError(f"option {self.name}: expected {self.form}, got {raw!r}")
        items = split_list(raw)
        for item in items:
            try:
                self.check_item(item)
            except ValueError:
                raise ConfigError(
                    f"option {self.name}: {item!r} is not valid; expected {self.form}") from None
        return tuple(items)
