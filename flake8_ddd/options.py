"""Options: their declarations (global ones here, rule-specific ones on each rule) and parsing.

Every option is a list of items, written comma- or newline-separated in ``setup.cfg``/
``tox.ini``/``.flake8`` (or as a TOML list in ``[tool.flake8-ddd]``). A malformed value raises
:class:`ConfigError` with one line naming the option and the accepted form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple

from flake8_ddd.layers import DEFAULT_SEGMENTS, Layer, LayerConfig, parse_layer_names


class ConfigError(Exception):
    """A configuration value that cannot be used; the message is one line for the user."""


NAME = re.compile(r"^[A-Za-z_*?][A-Za-z0-9_*?.\[\]-]*$")


def _check_name(item: str) -> None:
    if not NAME.match(item):
        raise ValueError(item)


def _check_layer_pair(item: str) -> None:
    key, sep, value = item.rpartition("=")
    if not sep or not key.strip():
        raise ValueError(item)
    parse_layer_names(value)


@dataclass(frozen=True)
class Option:
    name: str
    default: Tuple[str, ...]
    help: str
    form: str = "a comma-separated list of names"
    check_item: Callable[[str], None] = _check_name

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def flag(self) -> str:
        return "--" + self.name

    def parse(self, raw: Any) -> Tuple[str, ...]:
        if raw is None:
            return self.default
        if isinstance(raw, str):
            items = [i.strip() for i in re.split(r"[,\n]", raw)]
        elif isinstance(raw, (list, tuple)):
            items = [str(i).strip() for i in raw]
        else:
            raise ConfigError(f"option {self.name}: expected {self.form}, got {raw!r}")
        items = [i for i in items if i]
        for item in items:
            try:
                self.check_item(item)
            except ValueError:
                raise ConfigError(
                    f"option {self.name}: {item!r} is not valid; expected {self.form}") from None
        return tuple(items)


LAYER_NAMES = "|".join(layer.value for layer in Layer)

LAYER_SEGMENTS = Option(
    "ddd-layer-segments", (),
    "Extra or changed segment names: SEGMENT=LAYER (LAYER may be 'none' to drop a default).",
    form=f"SEGMENT=LAYER items, LAYER one of {LAYER_NAMES}|none (e.g. handlers=routes, views=none)",
    check_item=_check_layer_pair)
LAYER_PATHS = Option(
    "ddd-layer-paths", (),
    "Path globs mapped to one or two layers: GLOB=LAYER[+LAYER].",
    form=f"GLOB=LAYER[+LAYER] items, LAYER one of {LAYER_NAMES} (e.g. app/*/models.py=models+schemas)",
    check_item=_check_layer_pair)
LAYER_EXCLUDE = Option(
    "ddd-layer-exclude", (),
    "Path globs whose files get no layer (only the layer-free rules run on them).",
    form="a comma-separated list of path globs (e.g. app/legacy/*)",
    check_item=lambda item: None)
APP_PACKAGES = Option(
    "ddd-app-packages", (),
    "Top-level packages of the application, for layer checks on absolute imports "
    "(default: the top-level package of the importing file).")
SESSION_NAMES = Option(
    "ddd-session-names", ("db", "session", "db_session", "*_session"),
    "Names (last part of a receiver, globs allowed) treated as database sessions.")
SESSION_FACTORIES = Option(
    "ddd-session-factories",
    ("SessionLocal", "AsyncSessionLocal", "async_session", "async_session_maker", "session_factory"),
    "Names of session factories that must only be called in the database module or dependencies.")

PATTERN_RULES_FILE = Option(
    "ddd-pattern-rules-file", (),
    "TOML file(s) of team-defined pattern rules (DDD900-DDD999, [[rule]] tables), "
    "relative to the current directory.",
    form="a path to a TOML file of [[rule]] tables (e.g. ddd-rules.toml)",
    check_item=lambda item: None)
#: Key of ``raw`` in :func:`build_config` for inline pattern rules (a list of tables), as the
#: ``[[tool.flake8-ddd.pattern-rules]]`` tables of ``pyproject.toml`` give them.
PATTERN_RULES_KEY = "ddd-pattern-rules"

GLOBAL_OPTIONS = (LAYER_SEGMENTS, LAYER_PATHS, LAYER_EXCLUDE, APP_PACKAGES, SESSION_NAMES,
                  PATTERN_RULES_FILE)


def build_layer_config(values: Mapping[str, Tuple[str, ...]]) -> LayerConfig:
    segments: Dict[str, Layer] = dict(DEFAULT_SEGMENTS)
    for item in values.get(LAYER_SEGMENTS.name, ()):
        segment, _, layer_text = item.partition("=")
        layers = parse_layer_names(layer_text)
        if layers:
            segments[segment.strip()] = next(iter(layers))
        else:
            segments.pop(segment.strip(), None)
    path_globs = tuple(
        (glob.strip(), parse_layer_names(layer_text))
        for glob, _, layer_text in (i.rpartition("=") for i in values.get(LAYER_PATHS.name, ())))
    return LayerConfig(segments=segments, path_globs=path_globs,
                       exclude_globs=tuple(values.get(LAYER_EXCLUDE.name, ())),
                       app_packages=tuple(values.get(APP_PACKAGES.name, ())))


@dataclass(frozen=True)
class Config:
    """Everything the rules need to know about the user's configuration, parsed once."""

    layer: LayerConfig = field(default_factory=LayerConfig)
    values: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    #: ``select`` and ``extend-select`` entries, which alone can switch opt-in rules on.
    selected: Tuple[str, ...] = ()
    #: Team-defined rules (``flake8_ddd.patterns.PatternRule``), validated; on when declared.
    pattern_rules: Tuple[Any, ...] = ()

    def get(self, option: Option) -> Tuple[str, ...]:
        return self.values.get(option.name, option.default)

    def opt_in_enabled(self, code: str) -> bool:
        """An opt-in code is on only when a select entry names it or its group (not just DDD)."""
        return any(len(entry) > 3 and code.startswith(entry) for entry in self.selected)


def build_config(raw: Mapping[str, Any], options: Iterable[Option],
                 selected: Optional[Iterable[str]] = ()) -> Config:
    """Parse raw option values (keyed by option name) into a :class:`Config`."""
    values = {option.name: option.parse(raw.get(option.name)) for option in options}
    try:
        layer = build_layer_config(values)
    except ValueError as error:  # pragma: no cover - items are checked by Option.parse
        raise ConfigError(str(error)) from None
    entries = tuple(e.strip().upper() for e in (selected or ()) if e and e.strip())
    files = values.get(PATTERN_RULES_FILE.name) or PATTERN_RULES_FILE.parse(
        raw.get(PATTERN_RULES_FILE.name))
    inline = raw.get(PATTERN_RULES_KEY)
    pattern_rules: Tuple[Any, ...] = ()
    if files or inline is not None:  # imported only when declared: no TOML or ast-grep cost otherwise
        from flake8_ddd.patterns import load_pattern_rules

        pattern_rules = load_pattern_rules(files, inline)
    return Config(layer=layer, values=values, selected=entries, pattern_rules=pattern_rules)
