"""The global options (rule-specific ones sit on each rule) and :class:`Config`, the parsed result.

How one option is declared and its value split and checked is :mod:`flake8_ddd.option`;
:class:`Option` and :class:`ConfigError` are re-exported here for the rule modules. Raw values
become a :class:`Config` in one place for both entry points: :func:`flake8_ddd.configuration.
build_config`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Dict, Mapping, NamedTuple, Tuple

from flake8_ddd.layers import (DATABASE_STEMS, DEFAULT_GROUPING_DIRS, DEFAULT_SEGMENTS,
                               SETTINGS_STEMS, Layer, LayerConfig, parse_layer_names)
from flake8_ddd.option import (
    ConfigError, Option, check_glob, check_glob_layer_pair, check_layer_pair, check_nothing)

if TYPE_CHECKING:  # pragma: no cover
    from flake8_ddd.patterns import PatternRule

__all__ = ["ConfigError", "Option", "Config", "GLOBAL_OPTIONS", "build_layer_config"]

LAYER_NAMES = "|".join(layer.value for layer in Layer)

LAYER_SEGMENTS = Option(
    "ddd-layer-segments", (),
    "Extra or changed segment names: SEGMENT=LAYER (LAYER may be 'none' to drop a default).",
    form=f"SEGMENT=LAYER items, LAYER one of {LAYER_NAMES}|none (e.g. handlers=routes, views=none)",
    check_item=check_layer_pair)
LAYER_PATHS = Option(
    "ddd-layer-paths", (),
    "Path globs mapped to one or two layers: GLOB=LAYER[+LAYER].",
    form=f"GLOB=LAYER[+LAYER] items, a well-formed glob (every [ closed), LAYER one of "
         f"{LAYER_NAMES} (e.g. app/*/models.py=models+schemas)",
    check_item=check_glob_layer_pair)
LAYER_EXCLUDE = Option(
    "ddd-layer-exclude", (),
    "Path globs whose files get no layer (only the layer-free rules run on them).",
    form="a comma-separated list of well-formed path globs, every [ closed (e.g. app/legacy/*)",
    check_item=check_glob)
APP_PACKAGES = Option(
    "ddd-app-packages", (),
    "Top-level packages of the application, for layer checks on absolute imports "
    "(default: the top-level package of the importing file).")
SETTINGS_NAMES = Option(
    "ddd-settings-names", tuple(sorted(SETTINGS_STEMS)),
    "Names of the settings module (or package) in core or directly below the application "
    "package (replaces the default list).")
DATABASE_NAMES = Option(
    "ddd-database-names", tuple(sorted(DATABASE_STEMS)),
    "Names of the database module (or package) in core or directly below the application "
    "package (replaces the default list).")
GROUPING_DIRS = Option(
    "ddd-grouping-dirs", DEFAULT_GROUPING_DIRS,
    "Directories directly below the application package that group modules but are not "
    "features (replaces the default list; layer segments, core and apis never are features).")
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
    check_item=check_nothing)
#: Key of the raw values for inline pattern rules (a list of tables), as the
#: ``[[tool.flake8-ddd.pattern-rules]]`` tables of ``pyproject.toml`` give them.
PATTERN_RULES_KEY = "ddd-pattern-rules"

BASELINE = Option(
    "ddd-baseline", (),
    "Baseline file of known findings (written by `flake8-ddd check --write-baseline`); the "
    "findings it records are not reported. Relative to the configuration file.",
    form="a path to a baseline file (e.g. ddd-baseline.json)", check_item=check_nothing)
BASELINE_FORBID = Option(
    "ddd-baseline-forbid", (),
    "Codes or prefixes a baseline never covers (a bug, not debt), e.g. DDD503.",
    form="codes or prefixes such as DDD503, DDD5")

GLOBAL_OPTIONS = (LAYER_SEGMENTS, LAYER_PATHS, LAYER_EXCLUDE, APP_PACKAGES, SETTINGS_NAMES,
                  DATABASE_NAMES, GROUPING_DIRS, SESSION_NAMES,
                  PATTERN_RULES_FILE, BASELINE, BASELINE_FORBID)


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
                       app_packages=tuple(values.get(APP_PACKAGES.name, ())),
                       settings_names=tuple(values.get(SETTINGS_NAMES.name, SETTINGS_NAMES.default)),
                       database_names=tuple(values.get(DATABASE_NAMES.name, DATABASE_NAMES.default)),
                       grouping_dirs=tuple(values.get(GROUPING_DIRS.name, GROUPING_DIRS.default)))


class Config(NamedTuple):
    """Everything the rules need to know about the user's configuration, parsed once."""

    layer: LayerConfig = LayerConfig()
    values: Mapping[str, Tuple[str, ...]] = MappingProxyType({})
    #: ``select`` and ``extend-select`` entries, which alone can switch opt-in rules on.
    selected: Tuple[str, ...] = ()
    #: Team-defined rules, validated; on as soon as they are declared.
    pattern_rules: Tuple[PatternRule, ...] = ()

    def get(self, option: Option) -> Tuple[str, ...]:
        return self.values.get(option.name, option.default)

    def opt_in_enabled(self, code: str) -> bool:
        """An opt-in code is on only when a select entry names it or its group (not just DDD)."""
        return any(len(entry) > 3 and code.startswith(entry) for entry in self.selected)

    def enables(self, rule: type) -> bool:
        """Whether ``rule`` (a Rule class) runs at all under this configuration: the one place
        that decides."""
        return not rule.opt_in or self.opt_in_enabled(rule.code)
